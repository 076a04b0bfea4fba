using System.Text.RegularExpressions;

namespace Reconciler.Providers;

/// <summary>A <c>--feeds</c> folder of saved feeds: the newest copy of each by name, and the date its name carries.</summary>
public sealed partial class SavedFeedFolder(string directory, DateTimeOffset now)
{
    private string? Newest(string pattern) => Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal).LastOrDefault();

    public Task<string> ReadAsync(string pattern, CancellationToken cancellationToken) =>
        Newest(pattern) is { } file ? File.ReadAllTextAsync(file, cancellationToken) : throw new FileNotFoundException($"no {pattern} in {directory}");

    /// <summary>For feeds that carry no date of their own: the one in the saved file's name, else today.</summary>
    public string DateOf(string pattern) =>
        Newest(pattern) is { } file && IsoDate().Match(file) is { Success: true } m ? m.Value : FeedParsers.Today(now);

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoDate();
}
