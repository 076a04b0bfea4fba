using System.Text.RegularExpressions;

namespace Reconciler.Publishing;

/// <summary>
/// Turns the policy locations in a body (<c>`policies/egress.yaml:26:5`</c>) into links to that line at a commit of the
/// repository, as the forge makes them (<see cref="IForge.FileLink"/>). Only the paths of the run's policy files are
/// linked, so nothing else in a body is taken for a location.
/// </summary>
/// <param name="lineLink">The link to a line of a file (repository path, line) at the commit the links point at.</param>
public sealed partial class PolicyLinks(Func<string, int, string> lineLink, IEnumerable<string> paths)
{
    private readonly HashSet<string> _paths = [.. paths];

    public string Blob(string path, int line) => lineLink(path, line);

    public string Apply(string body) =>
        Location().Replace(body, m => _paths.Contains(m.Groups["path"].Value) && !IsLinked(body, m.Index)
            ? $"[{m.Value}]({Blob(m.Groups["path"].Value, int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture))})"
            : m.Value);

    private static bool IsLinked(string body, int index) => index > 0 && body[index - 1] == '[';

    /// <summary>A body as it reads without its links (and so without the commit they point at).</summary>
    public static string Unlinked(string body) => Linked().Replace(body, "${code}");

    [GeneratedRegex(@"`(?<path>[^`\s:]+):(?<line>\d+):(?<column>\d+)`")]
    private static partial Regex Location();

    [GeneratedRegex(@"\[(?<code>`[^`\]]+`)\]\([^)\s]+\)")]
    private static partial Regex Linked();
}
