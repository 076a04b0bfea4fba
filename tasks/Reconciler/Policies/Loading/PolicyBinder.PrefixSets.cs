using System.Net;
using Reconciler.Policies.Model;
using Reconciler.Policies.Validation;
using Reconciler.Yaml;

namespace Reconciler.Policies.Loading;

internal sealed partial class PolicyBinder
{
    private PrefixSet? BindPrefixSet(MappingReader reader)
    {
        reader.What = "a prefix set";
        var name = Name(reader, "prefix set");
        var provider = BindProvider(reader.Mapping("provider"));
        var listNode = reader.Node("prefixes");
        var prefixes = new List<Located<IPNetwork>>();
        foreach (var scalar in reader.Scalars("prefixes"))
        {
            if (Networks.TryParse(scalar.Value, out var network, out var error))
                prefixes.Add(MappingReader.Locate(network, scalar));
            else
                Error(scalar.Location, error);
        }
        if (name is null)
            return null;
        return new PrefixSet
        {
            Name = name,
            Provider = provider,
            Prefixes = prefixes,
            PrefixesList = listNode is Yaml.YamlSequence list ? new ListSpan(list.Start, list.End, list.IsFlow) : null,
            Span = reader.Span,
            Location = reader.Location,
        };
    }
}
