using System.Globalization;
using Reconciler.Fuzz;

// dotnet run --project tests/Reconciler.Fuzz -c Release -- [packets=1000000] [seed=1]
// Exit 0 when every packet decoded or was refused with DnsFormatException; 1 otherwise.
var packets = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;

// A hang would never return from Run; the watchdog notices that the process did not finish in time.
var watchdog = new Thread(() =>
{
    Thread.Sleep(TimeSpan.FromMinutes(10));
    Console.Error.WriteLine("HANG: the decoder did not finish within 10 minutes");
    Environment.Exit(2);
}) { IsBackground = true };
watchdog.Start();

var result = new DnsDecoderFuzzer(seed).Run(packets);
Console.WriteLine($"fuzzed {result.Packets:N0} packets (seed {seed}) in {result.Elapsed.TotalSeconds:0.0} s: " +
    $"{result.Decoded:N0} decoded, {result.Refused:N0} refused with DnsFormatException, {result.Failures.Count} other exceptions; " +
    $"slowest packet {result.Slowest.TotalMilliseconds:0.###} ms");
foreach (var failure in result.Failures)
    Console.WriteLine($"  packet {failure.Packet}: {failure.Exception}\n    {failure.Hex}");
return result.Failures.Count == 0 ? 0 : 1;
