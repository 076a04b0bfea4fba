using Reconciler.Diagnostics;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Yaml;

namespace Reconciler.Policies.Loading;

internal sealed partial class PolicyBinder
{
    private Dependency? BindDependency(MappingReader reader)
    {
        reader.What = "a dependency";
        var name = Name(reader, "dependency");
        var owner = reader.String("owner");
        if (OwnerHandle.Problem(owner) is { } badOwner)
            reader.Error(reader.Node("owner")!.Location, badOwner);
        var hosts = HostList(reader, "hosts", required: true);
        var ports = Ports(reader);
        if (!reader.Has("ports"))
            ports = [443];
        var track = reader.Choice<TrackMode>("track") ?? TrackMode.Dns;
        var identity = reader.String("identity");
        var probe = BindProbe(reader.Mapping("probe"));
        var provider = BindProvider(reader.Mapping("provider"));
        var privateRanges = PrivateRanges(reader);

        if (track == TrackMode.Provider && provider is null && !reader.Has("provider"))
            reader.Error(reader.Location, $"{reader.What} has track: provider but no provider block (e.g. provider: {{ name: aws, service: AMAZON, region: us-east-1 }})");
        if (track != TrackMode.Provider && reader.Has("provider"))
            reader.Error(reader.Node("provider")!.Location, $"{reader.What} has a provider block but track: {track.ToString().ToLowerInvariant()}; set track: provider or remove the block");

        if (name is null)
            return null;
        return new Dependency
        {
            Name = name,
            Owner = owner,
            Hosts = hosts,
            Ports = ports,
            Track = track,
            Identity = identity,
            Probe = probe,
            Provider = provider,
            PrivateRanges = privateRanges,
            Location = reader.Location,
        };
    }

    /// <summary>Only private use may be declared: nothing else special-purpose becomes admissible that way (README "Trust boundary").</summary>
    private List<Located<System.Net.IPNetwork>> PrivateRanges(MappingReader reader)
    {
        var ranges = new List<Located<System.Net.IPNetwork>>();
        var privateUse = SpecialPurposeBlocks.IPv4.Concat(SpecialPurposeBlocks.IPv6).Where(b => b.PrivateUse).ToList();
        foreach (var scalar in reader.Scalars("private_ranges"))
        {
            if (!Networks.TryParse(scalar.Value, out var network, out var error))
                Error(scalar.Location, error);
            else if (!privateUse.Any(b => Networks.Covers(b.Network, network)))
                Error(scalar.Location, $"'{scalar.Value}' is not private use: private_ranges may only hold networks inside {string.Join(", ", privateUse.Select(b => Networks.Format(b.Network)))}");
            else
                ranges.Add(MappingReader.Locate(network, scalar));
        }
        return ranges;
    }

    private ProbeSpec? BindProbe(YamlMapping? mapping)
    {
        if (mapping is null)
            return null;
        var reader = new MappingReader(mapping, "probe", errors);
        var urlAt = reader.Scalar("url", required: true);
        var url = urlAt is null ? null : HttpUrl(urlAt);
        var expect = reader.Ints("expect_status", 100, 599);
        reader.ReportUnknownKeys();
        return url is null ? null : new ProbeSpec(url, expect, mapping.Location);
    }

    private ProviderRef? BindProvider(YamlMapping? mapping)
    {
        if (mapping is null)
            return null;
        var reader = new MappingReader(mapping, "provider", errors);
        var nameAt = reader.Scalar("name", required: true);
        var serviceAt = reader.Scalar("service");
        var regionAt = reader.Scalar("region");
        var regionsAt = reader.Scalars("regions");
        reader.ReportUnknownKeys();
        if (nameAt is null)
            return null;
        if (!ProviderCatalog.Providers.TryGetValue(nameAt.Value, out var provider))
        {
            Error(nameAt.Location, $"unknown provider '{nameAt.Value}'; known: {string.Join(", ", ProviderCatalog.Providers.Keys)}{DidYouMean.Suffix(nameAt.Value, ProviderCatalog.Providers.Keys)}");
            return null;
        }
        var ok = true;
        if (serviceAt is not null && !provider.Services.Contains(serviceAt.Value))
        {
            var hint = provider.Services.Count == 0
                ? $"; {provider.Name} publishes no services, leave 'service' out"
                : DidYouMean.Suffix(serviceAt.Value, provider.Services) is { Length: > 0 } near
                    ? near
                    : $"; its feed names {string.Join(", ", provider.Services.Order(StringComparer.Ordinal))}";
            Error(serviceAt.Location, $"{provider.Name} has no service '{serviceAt.Value}'{hint}");
            ok = false;
        }
        if (regionAt is not null && regionsAt.Count > 0)
            Error(regionAt.Location, "give either 'region' or 'regions', not both");
        var regionNodes = regionAt is not null ? [regionAt] : regionsAt;
        foreach (var region in regionNodes)
        {
            if (provider.Regions.Contains(region.Value))
                continue;
            var hint = provider.Regions.Count == 0
                ? $"; {provider.Name} publishes no regions, leave 'region' out"
                : DidYouMean.Suffix(region.Value, provider.Regions);
            Error(region.Location, $"{provider.Name} has no region '{region.Value}'{hint}");
            ok = false;
        }
        return ok ? new ProviderRef(provider.Name, serviceAt?.Value, [.. regionNodes.Select(r => r.Value)], mapping.Location) : null;
    }

    private Identity? BindIdentity(MappingReader reader)
    {
        reader.What = "an identity";
        var name = Name(reader, "identity");
        // An empty user agent is legal to write and is exactly what user-agent-risk reports, so keep "" apart from absent.
        var userAgent = reader.Node("user_agent") is YamlScalar ua ? (ua.IsNull && ua.IsPlain ? "" : ua.Value) : null;
        if (userAgent is not null && ControlCharacters.Problem(userAgent, "user agent") is { } control)
        {
            Error(reader.Node("user_agent")!.Location, control);
            userAgent = null;
        }
        var egress = new List<Located<System.Net.IPAddress>>();
        foreach (var scalar in reader.Scalars("egress_ips"))
        {
            if (Networks.TryParseAddress(scalar.Value, out var address, out var problem))
                egress.Add(MappingReader.Locate(address, scalar));
            else
                Error(scalar.Location, problem ?? $"'{ControlCharacters.Escape(scalar.Value)}' is not an IP address (egress_ips lists single addresses)");
        }
        var proxy = reader.String("proxy");
        var cacheAt = reader.Scalar("dns_cache_ttl");
        DnsCacheTtl? cache = null;
        if (cacheAt is not null)
        {
            if (DnsCacheTtls.TryParse(cacheAt.Value, out var kept, out var cacheError))
                cache = new DnsCacheTtl(cacheAt.Value.Trim(), kept, cacheAt.Location);
            else
                Error(cacheAt.Location, cacheError);
        }
        return name is null ? null : new Identity { Name = name, UserAgent = userAgent, EgressIps = egress, Proxy = proxy, DnsCacheTtl = cache, Location = reader.Location };
    }
}
