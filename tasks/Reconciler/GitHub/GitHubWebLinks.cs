namespace Reconciler.GitHub;

/// <summary>Where people read a repository on GitHub, from the API it is reached at (<c>--github-api</c>).</summary>
public sealed class GitHubWebLinks(Uri api, string owner, string name)
{
    private readonly Uri _webRoot = WebRootOf(api);

    /// <summary>
    /// api.github.com is read at github.com, an Enterprise Cloud API with data residency (<c>api.HOST.ghe.com</c>) at
    /// <c>HOST.ghe.com</c>, and an Enterprise server's API (<c>https://HOST/api/v3</c>) at <c>https://HOST</c>.
    /// </summary>
    public static Uri WebRootOf(Uri api)
    {
        if (api.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase))
            return new Uri("https://github.com/");
        if (api.Host.StartsWith("api.", StringComparison.OrdinalIgnoreCase) && api.Host.EndsWith(".ghe.com", StringComparison.OrdinalIgnoreCase))
            return new Uri($"{api.Scheme}://{api.Host[4..]}/");
        return new Uri(api.GetLeftPart(UriPartial.Authority) + "/");
    }

    /// <summary>A line of a file at a commit: <c>https://HOST/OWNER/NAME/blob/SHA/PATH#L26</c>.</summary>
    public string File(string commit, string path, int line) =>
        $"{_webRoot.AbsoluteUri}{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}/blob/{commit}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}#L{line}";
}
