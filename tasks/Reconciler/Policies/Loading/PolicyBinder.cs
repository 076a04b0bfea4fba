using System.Globalization;
using System.Text.RegularExpressions;
using Reconciler.Diagnostics;
using Reconciler.Findings;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Yaml;

namespace Reconciler.Policies.Loading;

/// <summary>
/// Turns one file's YAML tree into policy records, checking every value's type and form on the way.
/// Cross-file checks (duplicate names, references) are <see cref="PolicyMerger"/>'s.
/// </summary>
internal sealed partial class PolicyBinder(string file, List<PolicyError> errors)
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex NameShape();

    public PolicyFragment Bind(YamlNode root)
    {
        var fragment = new PolicyFragment(file, [], [], [], [], []);
        if (root is not YamlMapping mapping)
        {
            Error(root.Location, $"a policy file must be a mapping with dependencies, identities, allowlists, settings or ignore; this one is {root.KindName}");
            return fragment;
        }
        var top = new MappingReader(mapping, "a policy file", errors);
        fragment = fragment with
        {
            Dependencies = Each(top, "dependencies", BindDependency),
            Identities = Each(top, "identities", BindIdentity),
            Allowlists = Each(top, "allowlists", BindAllowlist),
            Settings = BindSettings(top.Mapping("settings")),
            Ignores = Each(top, "ignore", BindIgnore),
            PrefixSets = Each(top, "prefix_sets", BindPrefixSet),
        };
        top.ReportUnknownKeys();
        return fragment;
    }

    private List<T> Each<T>(MappingReader parent, string key, Func<MappingReader, T?> bind) where T : class
    {
        var result = new List<T>();
        foreach (var item in parent.List(key))
        {
            if (item is not YamlMapping mapping)
            {
                Error(item.Location, $"each item of '{key}' must be a mapping, not {item.KindName}");
                continue;
            }
            var reader = new MappingReader(mapping, $"an item of '{key}'", errors);
            var bound = bind(reader);
            reader.ReportUnknownKeys();
            if (bound is not null)
                result.Add(bound);
        }
        return result;
    }

    /// <summary>Reads and checks the <c>name</c> of a dependency, identity or allowlist, and names the reader after it.</summary>
    private string? Name(MappingReader reader, string what)
    {
        var name = reader.Scalar("name", required: true);
        if (name is null)
            return null;
        reader.What = $"{what} '{name.Value}'";
        if (!NameShape().IsMatch(name.Value))
        {
            Error(name.Location, $"name '{name.Value}' must be lower-case letters, digits and hyphens (at most 63, no hyphen at either end)");
            return null;
        }
        return name.Value;
    }

    private List<Located<string>> HostList(MappingReader reader, string key, bool required, bool leadingDotAllowed = false)
    {
        var result = new List<Located<string>>();
        var items = reader.Scalars(key, required);
        if (required && reader.Node(key) is YamlSequence { Items.Count: 0 })
            Error(reader.Location, $"{reader.What} needs at least one entry in '{key}'");
        foreach (var scalar in items)
        {
            var text = scalar.Value;
            var dot = leadingDotAllowed && text.StartsWith('.') ? "." : "";
            if (HostNames.TryNormalize(text[dot.Length..], out var normalized, out var error))
                result.Add(MappingReader.Locate(dot + normalized, scalar));
            else
                Error(scalar.Location, error);
        }
        return result;
    }

    private static List<int> Ports(MappingReader reader) => [.. reader.Ints("ports", 1, 65535)];

    private List<SettingValue> BindSettings(YamlMapping? mapping)
    {
        var result = new List<SettingValue>();
        if (mapping is null)
            return result;
        var reader = new MappingReader(mapping, "settings", errors);
        void Add(string key, YamlScalar? at, Func<PolicySettings, PolicySettings>? apply)
        {
            if (at is not null && apply is not null)
                result.Add(new SettingValue(key, at.Location, apply));
        }

        var samples = reader.Int("samples", 1, 100);
        Add("samples", reader.Scalar("samples"), samples is { } n ? s => s with { Samples = n } : null);

        var staleAt = reader.Scalar("stale_after");
        if (staleAt is not null)
        {
            if (Durations.TryParse(staleAt.Value, out var stale, out var error))
                Add("stale_after", staleAt, s => s with { StaleAfter = stale });
            else
                Error(staleAt.Location, error);
        }

        var echoAt = reader.Scalar("egress_echo");
        if (echoAt is not null)
        {
            if (HttpUrl(echoAt) is { } echo)
                Add("egress_echo", echoAt, s => s with { EgressEcho = echo });
        }

        var rate = reader.Int("dns_lookups_per_second", 1, 1_000_000);
        Add("dns_lookups_per_second", reader.Scalar("dns_lookups_per_second"), rate is { } r ? s => s with { DnsLookupsPerSecond = r } : null);

        var v4 = reader.Int("broadest_ipv4_prefix", 0, 32);
        Add("broadest_ipv4_prefix", reader.Scalar("broadest_ipv4_prefix"), v4 is { } p4 ? s => s with { BroadestIPv4Prefix = p4 } : null);
        var v6 = reader.Int("broadest_ipv6_prefix", 0, 128);
        Add("broadest_ipv6_prefix", reader.Scalar("broadest_ipv6_prefix"), v6 is { } p6 ? s => s with { BroadestIPv6Prefix = p6 } : null);
        var prs = reader.Int("max_new_pull_requests", 0, 1000);
        Add("max_new_pull_requests", reader.Scalar("max_new_pull_requests"), prs is { } np ? s => s with { MaxNewPullRequests = np } : null);
        var issues = reader.Int("max_new_issues", 0, 1000);
        Add("max_new_issues", reader.Scalar("max_new_issues"), issues is { } ni ? s => s with { MaxNewIssues = ni } : null);
        var addresses = reader.Int("max_new_addresses", 0, 100_000);
        Add("max_new_addresses", reader.Scalar("max_new_addresses"), addresses is { } na ? s => s with { MaxNewAddresses = na } : null);
        var shareAt = reader.Scalar("max_removal_share");
        if (shareAt is not null)
        {
            if (Shares.TryParse(shareAt.Value, out var share))
                Add("max_removal_share", shareAt, s => s with { MaxRemovalShare = share });
            else
                Error(shareAt.Location, $"max_removal_share must be a percentage from 0% to 100% (e.g. 30%), not '{shareAt.Value}'");
        }
        reader.ReportUnknownKeys();
        return result;
    }

    private IgnoreEntry? BindIgnore(MappingReader reader)
    {
        reader.What = "an ignore entry";
        var dependency = reader.String("dependency");
        var kindAt = reader.Scalar("kind");
        if (kindAt is not null)
        {
            if (!FindingKinds.TryParse(kindAt.Value, out var kind))
                Error(kindAt.Location, $"'{kindAt.Value}' is not a finding kind{DidYouMean.Suffix(kindAt.Value, FindingKindFacts.SilenceableWireNames)}");
            else if (kind.Facts().NotSilenced is { } why)
                Error(kindAt.Location, $"an ignore cannot silence '{kindAt.Value}': {why}");
        }
        var subject = reader.String("subject");
        var reason = reader.String("reason", required: true, multiline: true);
        var expiresAt = reader.Scalar("expires", required: true);
        DateOnly? expires = null;
        if (expiresAt is not null)
        {
            if (DateOnly.TryParseExact(expiresAt.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                expires = date;
            else
                Error(expiresAt.Location, $"'expires' must be a date as YYYY-MM-DD, not '{expiresAt.Value}'");
        }
        if (dependency is null && kindAt is null && subject is null)
            Error(reader.Location, "an ignore entry must name at least one of dependency, kind or subject; it would silence everything");
        if (reason is null || expires is null)
            return null;
        return new IgnoreEntry { Dependency = dependency, Kind = kindAt?.Value, Subject = subject, Reason = reason, Expires = expires.Value, Location = reader.Location };
    }

    private Uri? HttpUrl(YamlScalar scalar)
    {
        if (ControlCharacters.Problem(scalar.Value, "URL") is { } control)
        {
            Error(scalar.Location, control);
            return null;
        }
        if (Uri.TryCreate(scalar.Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
            return uri;
        Error(scalar.Location, $"'{scalar.Value}' is not an http:// or https:// URL");
        return null;
    }

    private void Error(SourceLocation at, string message) => errors.Add(new PolicyError(at, message));
}
