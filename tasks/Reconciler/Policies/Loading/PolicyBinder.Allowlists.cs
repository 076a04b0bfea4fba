using System.Net;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Yaml;

namespace Reconciler.Policies.Loading;

internal sealed partial class PolicyBinder
{
    private Allowlist? BindAllowlist(MappingReader reader)
    {
        reader.What = "an allowlist";
        var name = Name(reader, "allowlist");
        var kind = reader.Choice("kind", KindNames, required: true);
        var hosts = new List<string>();
        foreach (var scalar in reader.Scalars("hosts"))
        {
            if (HostNames.TryNormalize(scalar.Value, out var host, out var error))
                hosts.Add(host);
            else
                Error(scalar.Location, error);
        }
        var urlAt = reader.Scalar("url");
        var url = urlAt is null ? null : HttpUrl(urlAt);
        if (urlAt is not null && kind?.Facts() is { HasProxyUrl: false } facts)
            Error(urlAt.Location, $"'url' is the address of a proxy; {facts.Called} has none");
        var rules = new List<AllowlistRule>();
        foreach (var item in reader.List("rules"))
        {
            if (item is not Yaml.YamlMapping mapping)
            {
                Error(item.Location, $"each rule must be a mapping, not {item.KindName}");
                continue;
            }
            var ruleReader = new MappingReader(mapping, $"a rule of {reader.What}", errors);
            if (BindRule(ruleReader, kind) is { } rule)
                rules.Add(rule);
            ruleReader.ReportUnknownKeys();
        }
        if (name is null || kind is null)
            return null;
        return new Allowlist { Name = name, Kind = kind.Value, Hosts = hosts, Rules = rules, Url = url, Location = reader.Location };
    }

    /// <summary>How policies spell each kind: its row's name (AllowlistKinds), which may be one no enum member can be.</summary>
    private static readonly IReadOnlyList<(string, AllowlistKind)> KindNames = [.. AllowlistKinds.All.Select(k => (k.Name, k.Kind))];

    private AllowlistRule? BindRule(MappingReader reader, AllowlistKind? kind)
    {
        var dependency = reader.String("dependency", required: true);
        var ports = Ports(reader);
        var destinationsNode = reader.Node("destinations");
        var destinations = new List<Located<IPNetwork>>();
        foreach (var scalar in reader.Scalars("destinations"))
        {
            if (Networks.TryParse(scalar.Value, out var network, out var error))
                destinations.Add(MappingReader.Locate(network, scalar));
            else
                Error(scalar.Location, error);
        }
        var domains = HostList(reader, "domains", required: false, leadingDotAllowed: true);
        if (kind?.Facts() is { AdmitsDomains: false } facts && reader.Has("domains"))
            reader.Error(reader.Node("domains")!.Location, $"{facts.Called} cannot match domain names; admit them in a proxy allowlist, or list destinations here");
        var reason = reader.String("reason", multiline: true);
        var pinned = reader.Bool("pinned") ?? false;
        var prefixSet = reader.String("prefix_set");
        if (dependency is null)
            return null;
        return new AllowlistRule
        {
            Dependency = dependency,
            Ports = ports,
            Destinations = destinations,
            Domains = domains,
            Reason = reason,
            Pinned = pinned,
            Location = reader.Location,
            Span = reader.Span,
            DestinationsList = destinationsNode is Yaml.YamlSequence list ? new ListSpan(list.Start, list.End, list.IsFlow) : null,
            PrefixSet = prefixSet,
        };
    }
}
