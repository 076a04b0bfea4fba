using System.Diagnostics;
using System.Globalization;
using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;

// dotnet DnsBench.dll SERVER NAMES_FILE [MAX_IN_FLIGHT=256]
// Resolves every name A+AAAA with Reconciler's bulk resolver, unpaced (the server is our own, on loopback),
// and prints one line of figures for bench/dns.sh to read.
var server = NameServer.Parse(args[0]);
var names = File.ReadAllLines(args[1]).Where(l => l.Length > 0).ToArray();
var inFlight = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 256;
var warmUp = args.Contains("--warm-up");

await using var client = new DnsLookupClient(new DnsTransportOptions { Timeout = TimeSpan.FromSeconds(2), Attempts = 3 });
var resolver = new BulkResolver(new HostResolver(client, TimeProvider.System), TimeProvider.System,
    new BulkResolverOptions { MaxInFlightPerServer = inFlight, LookupsPerSecondPerServer = null });

if (warmUp)
    await resolver.ResolveAsync(names[..2000], [server]);   // JIT and tier-up before the measured pass

using var process = Process.GetCurrentProcess();
var cpuBefore = process.TotalProcessorTime;
var allocatedBefore = GC.GetTotalAllocatedBytes();
var pausedBefore = GC.GetTotalPauseDuration();
var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
var jittedBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
var started = Stopwatch.GetTimestamp();
var lookups = await resolver.ResolveAsync(names, [server]);
var wall = Stopwatch.GetElapsedTime(started);
process.Refresh();
// Every thread of the process while it resolved: the receiver, the JIT compiling the hot path, the GC.
var cpu = process.TotalProcessorTime - cpuBefore;
var allocatedKiB = (GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024;
var paused = GC.GetTotalPauseDuration() - pausedBefore;
var jit = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
var jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - jittedBefore;

var answered = lookups.Count(l => l.Outcome == DnsOutcome.Answer);
var peakKiB = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"reconciler queries={lookups.Count} answered={answered} wall_s={wall.TotalSeconds:0.000} qps={lookups.Count / wall.TotalSeconds:0} peak_rss_kib={peakKiB} ignored={client.IgnoredReplies} ports={client.DistinctSourcePorts} cpu_s={cpu.TotalSeconds:0.000} allocated_kib={allocatedKiB} gc_pause_ms={paused.TotalMilliseconds:0} jit_ms={jit.TotalMilliseconds:0} jitted={jitted}"));
foreach (var slow in lookups.Where(l => l.Elapsed > TimeSpan.FromSeconds(1)).Take(5))
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  slow: {slow.Host} {slow.Type} took {slow.Elapsed.TotalSeconds:0.000} s, started {(slow.At - lookups.Min(l => l.At)).TotalSeconds:0.000} s into the run"));
return answered == lookups.Count ? 0 : 1;
