using System.Globalization;
using Reconciler.Fuzz;

// dotnet run --project tests/Reconciler.Fuzz -c Release -- [packets=1000000] [seed=1]
//   Exit 0 when every packet decoded or was refused with DnsFormatException; 1 otherwise.
// dotnet run --project tests/Reconciler.Fuzz -c Release -- policies [cases=100000] [seed=1]
//   Exit 0 when every mutated policy was valid, or invalid with file:line:col errors inside the file; 1 otherwise.
var policies = args.Length > 0 && args[0] == "policies";
var rest = policies ? args[1..] : args;
var count = rest.Length > 0 ? long.Parse(rest[0], CultureInfo.InvariantCulture) : policies ? 100_000 : 1_000_000;
var seed = rest.Length > 1 ? int.Parse(rest[1], CultureInfo.InvariantCulture) : 1;

// A hang would never return from Run; the watchdog notices that the process did not finish in time.
var watchdog = new Thread(() =>
{
    Thread.Sleep(TimeSpan.FromMinutes(policies ? 30 : 10));
    Console.Error.WriteLine("HANG: the fuzzed code did not finish in time");
    Environment.Exit(2);
}) { IsBackground = true };
watchdog.Start();

if (policies)
{
    var root = PolicyFuzzer.FindRepositoryRoot(AppContext.BaseDirectory);
    var seeds = PolicyFuzzer.RepositorySeeds(root);
    var run = new PolicyFuzzer(seed, seeds).Run(count);
    Console.WriteLine($"fuzzed {run.Cases:N0} policy files (seed {seed}, {seeds.Count} seed files) in {run.Elapsed.TotalSeconds:0.0} s: " +
        $"{run.Valid:N0} valid, {run.Invalid:N0} invalid with file:line:col errors, {run.RefusedByGate:N0} refused by the reading gate, " +
        $"{run.Failures.Count} defects; slowest case {run.SlowestCase} took {run.Slowest.TotalMilliseconds:0.###} ms");
    Console.WriteLine("cases by mutation (a case applies 1-3): " + string.Join(", ", run.ByMutation.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value:N0}")));
    foreach (var failure in run.Failures.Take(50))
        Console.WriteLine($"  case {failure.Case} ({failure.Seed}; {failure.Mutations}): {failure.Problem}");
    return run.Failures.Count == 0 ? 0 : 1;
}

var result = new DnsDecoderFuzzer(seed).Run(count);
Console.WriteLine($"fuzzed {result.Packets:N0} packets (seed {seed}) in {result.Elapsed.TotalSeconds:0.0} s: " +
    $"{result.Decoded:N0} decoded, {result.Refused:N0} refused with DnsFormatException, {result.Failures.Count} other exceptions; " +
    $"slowest packet {result.Slowest.TotalMilliseconds:0.###} ms");
foreach (var failure in result.Failures)
    Console.WriteLine($"  packet {failure.Packet}: {failure.Exception}\n    {failure.Hex}");
return result.Failures.Count == 0 ? 0 : 1;
