using System.Globalization;
using System.Text;

// dotnet Estate.dll DEPENDENCIES SEED OUT_DIR
// Writes a synthetic estate as a seed makes it: DEPENDENCIES dependencies with three hosts each, five rules each
// across 50 allowlists, a Knot zone for the hosts (pools of up to 8 addresses, CNAME chains, some names that
// do not exist), and the observations a run against that zone would make, for replays that time the engine alone.
var dependencies = int.Parse(args[0], CultureInfo.InvariantCulture);
var random = new Random(int.Parse(args[1], CultureInfo.InvariantCulture));
var outDir = args[2];
Directory.CreateDirectory(Path.Combine(outDir, "policies"));

// Split as estates are kept (and under the 1 MiB a policy file may have): dependencies 500 a file, an allowlist a file.
var files = new Dictionary<string, StringBuilder> { ["settings.yaml"] = new("settings:\n  samples: 1\n  dns_lookups_per_second: 20000\n  stale_after: 14d\n") };
StringBuilder File_(string name, string header) => files.TryGetValue(name, out var text) ? text : files[name] = new StringBuilder(header);
var zone = new StringBuilder("$ORIGIN estate.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 127.0.0.1\n");
var observations = new List<string>();
var addressesOf = new Dictionary<int, List<string>>();
// Private use, declared in each dependency's private_ranges so that the addition gate proposes them as a VPC's would be.
string Address(int i, int j) => $"10.{(i >> 8) & 0xFF}.{i & 0xFF}.{j + 1}";

for (var d = 0; d < dependencies; d++)
{
    File_($"dependencies-{d / 500:D2}.yaml", "dependencies:\n").Append(CultureInfo.InvariantCulture, $"  - name: dep-{d}\n    hosts: [h{d}-0.estate.test, h{d}-1.estate.test, h{d}-2.estate.test]\n    private_ranges: [10.0.0.0/8]\n");
    var addresses = new List<string>();
    for (var h = 0; h < 3; h++)
    {
        var host = $"h{d}-{h}";
        var kind = random.Next(20);
        if (kind == 0)
        {
            observations.Add($"{{\"host\":\"{host}.estate.test\",\"type\":\"A\",\"server\":\"127.0.0.1:53\",\"outcome\":\"nx-domain\",\"chain\":[],\"addresses\":[],\"at\":\"2026-11-23T06:00:00+00:00\",\"elapsedMs\":0.2}}");
            continue;   // a name that does not exist
        }
        var pool = Enumerable.Range(0, kind < 6 ? 8 : 2).Select(j => Address(d, (h * 8) + j)).ToList();
        var owner = host;
        var chain = new List<string>();
        if (kind < 4)
        {
            zone.Append(CultureInfo.InvariantCulture, $"{host} IN CNAME {host}-edge\n");
            owner = host + "-edge";
            chain.Add(owner + ".estate.test");
        }
        foreach (var address in pool)
            zone.Append(CultureInfo.InvariantCulture, $"{owner} 60 IN A {address}\n");
        addresses.AddRange(pool);
        observations.Add($"{{\"host\":\"{host}.estate.test\",\"type\":\"A\",\"server\":\"127.0.0.1:53\",\"outcome\":\"answer\",\"chain\":[{string.Join(",", chain.Select(c => $"\"{c}\""))}],\"addresses\":[{string.Join(",", pool.Select(a => $"{{\"address\":\"{a}\",\"ttl\":60}}"))}],\"at\":\"2026-11-23T06:00:00+00:00\",\"elapsedMs\":0.2}}");
    }
    addressesOf[d] = addresses;
}

for (var a = 0; a < 50; a++)
{
    var policy = File_($"list-{a:D2}.yaml", $"allowlists:\n  - name: list-{a}\n    kind: iptables\n    hosts: [fw{a}]\n    rules:\n");
    for (var d = a; d < dependencies; d += 50)
    {
        for (var r = 0; r < 5; r++)
        {
            // Most addresses admitted, some missing (drift to find), some extra (stale once remembered).
            var admitted = addressesOf[d].Where((_, i) => i % 5 == r && random.Next(10) > 0).Append($"172.{16 + (d % 16)}.{d % 256}.{r + 1}");
            policy.Append(CultureInfo.InvariantCulture, $"      - dependency: dep-{d}\n        destinations: [{string.Join(", ", admitted)}]\n        reason: T{d}\n");
        }
    }
}

foreach (var (name, text) in files)
    File.WriteAllText(Path.Combine(outDir, "policies", name), text.ToString());
File.WriteAllText(Path.Combine(outDir, "estate.test.zone"), zone.ToString());
File.WriteAllText(Path.Combine(outDir, "observations.json"),
    $"{{\"schemaVersion\":1,\"at\":\"2026-11-23T06:00:00+00:00\",\"servers\":[\"127.0.0.1:53\"],\"observations\":[{string.Join(",\n", observations)}]}}\n");
Console.WriteLine($"{dependencies} dependencies, {dependencies * 3} hosts, {dependencies * 5} rules in 50 allowlists -> {outDir}");
