using System.Text.RegularExpressions;

namespace Reconciler.Publishing;

/// <summary>
/// Turns the policy locations in a body (<c>`policies/egress.yaml:26:5`</c>) into links to that line at a commit of the
/// repository on GitHub (<c>https://HOST/OWNER/NAME/blob/SHA/PATH#L26</c>). Only the paths of the run's policy files
/// are linked, so nothing else in a body is taken for a location.
/// </summary>
public sealed partial class PolicyLinks(Uri webRoot, string owner, string name, string sha, IEnumerable<string> paths)
{
    private readonly HashSet<string> _paths = [.. paths];

    /// <summary>
    /// Where people read the repository, from <c>--github-api</c>: api.github.com is read at github.com, and an Enterprise
    /// server's API (<c>https://HOST/api/v3</c>) at <c>https://HOST</c>.
    /// </summary>
    public static Uri WebRootOf(Uri api)
    {
        if (api.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase))
            return new Uri("https://github.com/");
        if (api.Host.StartsWith("api.", StringComparison.OrdinalIgnoreCase) && api.Host.EndsWith(".ghe.com", StringComparison.OrdinalIgnoreCase))
            return new Uri($"{api.Scheme}://{api.Host[4..]}/"); // GitHub Enterprise Cloud with data residency
        return new Uri(api.GetLeftPart(UriPartial.Authority) + "/");
    }

    public string Blob(string path, int line) =>
        $"{webRoot.AbsoluteUri}{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}/blob/{sha}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}#L{line}";

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
