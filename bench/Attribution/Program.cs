using System.Diagnostics;
using System.Globalization;
using System.Net;
using Reconciler.Providers;

// dotnet run --project bench/Attribution -c Release
// Attributes 10,000 addresses (half inside published prefixes, half anywhere) against every feed of the embedded
// snapshot, with the prefix index and with a linear scan, in one process; prints figures and the ratio.
var snapshot = ProviderSnapshot.Default;
var random = new Random(42);
var addresses = Enumerable.Range(0, 10_000).Select(i =>
{
    var bytes = new byte[4];
    random.NextBytes(bytes);
    if (i % 2 == 0)
    {
        var prefix = snapshot.Prefixes[random.Next(snapshot.Prefixes.Count)].Prefix;
        if (prefix.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            return prefix.BaseAddress;
        var inside = prefix.BaseAddress.GetAddressBytes();
        for (var b = 0; b < 4; b++)
            inside[b] |= (byte)(bytes[b] & ~(0xFF << Math.Clamp(8 - (prefix.PrefixLength - (8 * b)), 0, 8)));
        return new IPAddress(inside);
    }
    return new IPAddress(bytes);
}).ToList();

string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

var build = Stopwatch.StartNew();
var index = new PrefixIndex(snapshot.Prefixes);
build.Stop();

var fromIndex = new int[addresses.Count];
var indexed = Stopwatch.StartNew();
for (var i = 0; i < addresses.Count; i++)
    fromIndex[i] = index.Owners(addresses[i]).Count;
indexed.Stop();

var fromScan = new int[addresses.Count];
var scan = Stopwatch.StartNew();
for (var i = 0; i < addresses.Count; i++)
{
    var best = -1;
    var owners = 0;
    foreach (var p in snapshot.Prefixes)
    {
        if (!p.Prefix.Contains(addresses[i]) || p.Prefix.PrefixLength < best)
            continue;
        owners = p.Prefix.PrefixLength > best ? 1 : owners + 1;
        best = p.Prefix.PrefixLength;
    }
    fromScan[i] = owners;
}
scan.Stop();

var agree = fromIndex.SequenceEqual(fromScan);
Console.WriteLine($"snapshot: {snapshot.Prefixes.Count:N0} prefixes; {addresses.Count:N0} addresses, {fromIndex.Count(n => n > 0):N0} owned by someone");
Console.WriteLine($"prefix index: build {Ms(build.Elapsed)} ms, 10,000 lookups {Ms(indexed.Elapsed)} ms");
Console.WriteLine($"linear scan:  10,000 lookups {Ms(scan.Elapsed)} ms");
Console.WriteLine($"ratio index/scan: {indexed.Elapsed / scan.Elapsed:0.0000} (index {scan.Elapsed / indexed.Elapsed:0}x faster); same answers: {agree}");
return agree ? 0 : 1;
