using System.Diagnostics;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Wire;

namespace Reconciler.Fuzz;

/// <summary>
/// Feeds random and mutated packets to the DNS decoder. The only acceptable failure is a
/// <see cref="DnsFormatException"/>; anything else is a defect, reported with the packet that caused it.
/// Mutations start from real answers, so most packets get deep into the decoder before they go wrong.
/// </summary>
public sealed class DnsDecoderFuzzer(int seed)
{
    private readonly Random _random = new(seed);

    public sealed record Failure(long Packet, string Exception, string Hex);

    public sealed record Result(long Packets, long Decoded, long Refused, IReadOnlyList<Failure> Failures, TimeSpan Elapsed, TimeSpan Slowest);

    // Real answers from Knot (see DnsMessageReaderTests) and queries as we send them.
    private static readonly byte[][] Seeds =
    [
        Convert.FromHexString("beef8400000100010000000103777777076578616d706c6504746573740000010001c00c000100010000012c0004c000020a00002904d0000000000000"),
        Convert.FromHexString("beef8400000100030000000106636861696e31076578616d706c6504746573740000010001c00c000500010000012c000906636861696e32c013c031000500010000012c000906636861696e33c013c046000100010000012c0004c000021400002904d0000000000000"),
        Convert.FromHexString("beef84030001000000010001026e78076578616d706c6504746573740000010001c00f000600010000003c0027036e7331c00f0a686f73746d6173746572c00f0000000100000e1000000258000151800000003c00002904d0000000000000"),
        Convert.FromHexString("beef8400000100010000000103657874076578616d706c6504746573740000010001c00c000500010000012c000c03617069056f74686572c01800002904d0000000000000"),
        DnsQueryWriter.Write(7, new DnsQuestion("sns.us-east-1.amazonaws.com", RecordType.AAAA)),
        Convert.FromHexString("0001800000010001000000000178000010000100c00c001000010000003c0008036162630002787900"),
    ];

    public Result Run(long packets)
    {
        var started = Stopwatch.GetTimestamp();
        long decoded = 0, refused = 0;
        var slowest = TimeSpan.Zero;
        var failures = new List<Failure>();
        for (long i = 0; i < packets; i++)
        {
            var packet = Next();
            var before = Stopwatch.GetTimestamp();
            try
            {
                DnsMessageReader.Read(packet);
                decoded++;
            }
            catch (DnsFormatException)
            {
                refused++;
            }
#pragma warning disable CA1031 // Catching everything is this harness's purpose: any other exception is the defect it looks for.
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (failures.Count < 20)
                    failures.Add(new Failure(i, e.GetType().Name + ": " + e.Message, Convert.ToHexString(packet)));
            }
            var took = Stopwatch.GetElapsedTime(before);
            if (took > slowest)
                slowest = took;
        }
        return new Result(packets, decoded, refused, failures, Stopwatch.GetElapsedTime(started), slowest);
    }

    private byte[] Next()
    {
        if (_random.Next(10) == 0)
        {
            var noise = new byte[_random.Next(0, 600)];
            _random.NextBytes(noise);
            return noise;
        }
        var packet = new List<byte>(Seeds[_random.Next(Seeds.Length)]);
        var mutations = 1 + _random.Next(6);
        for (var m = 0; m < mutations && packet.Count > 0; m++)
            Mutate(packet);
        return [.. packet];
    }

    private void Mutate(List<byte> packet)
    {
        var at = _random.Next(packet.Count);
        switch (_random.Next(9))
        {
            case 0: packet[at] ^= (byte)(1 << _random.Next(8)); break;                       // flip a bit
            case 1: packet[at] = (byte)_random.Next(256); break;                             // any byte
            case 2: packet.RemoveRange(at, packet.Count - at); break;                        // cut short
            case 3: packet.Insert(at, (byte)_random.Next(256)); break;                       // insert
            case 4: packet.RemoveAt(at); break;                                              // delete
            case 5: packet[at] = 0xC0; if (at + 1 < packet.Count) packet[at + 1] = (byte)_random.Next(packet.Count); break; // a pointer anywhere
            case 6: if (at + 1 < packet.Count) { packet[at] = 0xFF; packet[at + 1] = 0xFF; } break; // a huge count or length
            case 7:                                                                          // repeat a slice
                var length = Math.Min(_random.Next(1, 40), packet.Count - at);
                packet.InsertRange(_random.Next(packet.Count), packet.GetRange(at, length));
                break;
            default: packet[at] = (byte)_random.Next(64); break;                             // a plausible label length
        }
    }
}
