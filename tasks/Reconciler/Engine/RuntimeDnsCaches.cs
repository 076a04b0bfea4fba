namespace Reconciler.Engine;

/// <summary>
/// Where each runtime keeps DNS answers and how to shorten that, keyed by the runtime column of
/// <c>risky-user-agents.tsv</c>. A runtime that caches nothing itself points at what does: the system's cache
/// or connections kept alive to an address.
/// </summary>
public static class RuntimeDnsCaches
{
    /// <param name="Runtime">The runtime, for people ("a JVM").</param>
    /// <param name="Setting">What holds the answers, named as people search for it.</param>
    /// <param name="Fix">What to change, with <c>{0}</c> for the seconds to keep at most.</param>
    public sealed record Advice(string Runtime, string Setting, string Fix);

    private static readonly Dictionary<string, Advice> ByRuntime = new(StringComparer.Ordinal)
    {
        ["jvm"] = new("a JVM", "the JVM's networkaddress.cache.ttl (30 s by default, forever when a security manager is installed)",
            "set networkaddress.cache.ttl={0} in $JAVA_HOME/conf/security/java.security, or Security.setProperty(\"networkaddress.cache.ttl\", \"{0}\") before the first lookup (-Dsun.net.inetaddr.ttl={0} on old JVMs)"),
        ["android"] = new("Android", "the app's own resolver cache (Android's InetAddress keeps answers 2 s; OkHttp's Dns or a pooled connection keeps them longer)",
            "keep answers at most {0} s in the app's Dns, and bound pooled connections' keep-alive by the same"),
        ["curl"] = new("libcurl", "libcurl's DNS cache (CURLOPT_DNS_CACHE_TIMEOUT, 60 s by default; -1 is forever)",
            "set CURLOPT_DNS_CACHE_TIMEOUT to {0} or less"),
        ["wget"] = new("wget", "wget's DNS cache, kept for the life of the process",
            "run it with --no-dns-cache"),
        ["go"] = new("Go", "not Go's resolver (it caches nothing) but the system's cache (nscd, systemd-resolved) or idle keep-alive connections",
            "bound http.Transport's IdleConnTimeout by {0} s and the system cache by the records' TTL"),
        ["python"] = new("Python", "not Python (getaddrinfo asks every time) but the system's cache (nscd, systemd-resolved) or a pooled connection (requests.Session, urllib3)",
            "recycle pooled connections within {0} s and let the system cache honour the records' TTL"),
        ["node"] = new("Node.js", "not Node's dns.lookup (getaddrinfo asks every time) but a lookup cache module, the system's cache or keep-alive sockets (http.Agent keepAlive, undici's keepAliveTimeout)",
            "keep cached lookups and idle sockets at most {0} s"),
        ["ruby"] = new("Ruby", "not Ruby's resolver but the system's cache (nscd, systemd-resolved) or persistent connections",
            "recycle persistent connections within {0} s and let the system cache honour the records' TTL"),
        ["php"] = new("PHP", "not PHP's resolver but the system's cache (nscd, systemd-resolved) or persistent connections (php-fpm workers, curl handles)",
            "set CURLOPT_DNS_CACHE_TIMEOUT to {0} or less on reused curl handles"),
        ["perl"] = new("Perl", "not Perl's resolver but the system's cache (nscd, systemd-resolved) or kept-alive connections (LWP::ConnCache)",
            "recycle kept-alive connections within {0} s"),
        ["apple"] = new("Apple's CFNetwork", "not the system resolver (it honours TTLs) but the app's own cache or a URLSession connection kept alive",
            "keep the app's cached answers and idle connections at most {0} s"),
    };

    /// <summary>When the user agent does not say: the JVM is the usual culprit, so name it first.</summary>
    public static Advice Unknown { get; } = new(
        "an unknown runtime",
        "the runtime's DNS cache (for a JVM, networkaddress.cache.ttl: 30 s by default, forever under a security manager)",
        "set networkaddress.cache.ttl={0} in java.security for a JVM, or the runtime's equivalent, to keep answers at most {0} s");

    public static Advice For(string? runtime) => runtime is not null && ByRuntime.TryGetValue(runtime, out var advice) ? advice : Unknown;

    public static IReadOnlyCollection<string> Runtimes => ByRuntime.Keys;
}
