using System.Diagnostics;
using System.Net;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Records;
using Reconciler.Dns.Transport;
using Reconciler.Dns.Wire;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Dns;

/// <summary>
/// The UDP transport with each of its socket sets (raw sockets and epoll on Linux, .NET's sockets and poll
/// elsewhere), against a scripted server on loopback: replies reach only their own query whatever else arrives,
/// spent sockets close, and timeouts, cancellation and disposal end a waiting query.
/// </summary>
public sealed class UdpTransportTests
{
    public static TheoryData<string> SocketSets => ["linux", "portable"];

    /// <summary>One lane unless asked: a test about one socket's queries must not see them split over lanes.</summary>
    internal static UdpTransport Transport(string sockets, int lanes = 1) =>
        sockets == "portable" ? new UdpTransport(() => new PortableDatagramSockets(), lanes) : new UdpTransport(DatagramSockets.Create, lanes);

    private static string AddressOf(int i) => $"10.{i >> 16 & 0xFF}.{i >> 8 & 0xFF}.{i & 0xFF}";

    private static int IndexOf(byte[] query) =>
        int.Parse(DnsMessageReader.Read(query).Questions[0].Name.ToString().Split('.')[0][1..], System.Globalization.CultureInfo.InvariantCulture);

    internal static Task<DnsReply?> AskAsync(UdpTransport transport, IPEndPoint server, string name, RecordType type = RecordType.A, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var question = new DnsQuestion(name, type);
        return transport.ExchangeAsync(DnsQueryWriter.Write(0, question), question, server, timeout ?? TimeSpan.FromSeconds(5), cancellationToken);
    }

    private static string AnswerOf(DnsReply? reply) =>
        reply?.Message?.Answers.OfType<AddressRecord>().Single().Address.ToString() ?? "(no reply)";

    /// <summary>h0 … h{count-1}.udp.test, 64 at a time: as a bulk run asks, and under what the scripted server's buffer holds.</summary>
    private static async Task<(int Index, DnsReply? Reply)[]> AskAllAsync(UdpTransport transport, ScriptedDnsServer server, int count)
    {
        using var gate = new SemaphoreSlim(64);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                return (i, await AskAsync(transport, server.Endpoint, $"h{i}.udp.test"));
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    [Fact]
    public void By_default_there_is_a_lane_per_core_up_to_the_bound()
    {
        using var transport = new UdpTransport();
        Assert.Equal(Math.Clamp(Environment.ProcessorCount, 1, UdpTransport.MaxLanes), transport.Lanes);
    }

    [Fact]
    public void On_linux_the_transport_uses_raw_sockets_and_epoll()
    {
        using var sockets = DatagramSockets.Create();
        if (OperatingSystem.IsLinux())
            Assert.IsType<LinuxDatagramSockets>(sockets);
        else
            Assert.IsType<PortableDatagramSockets>(sockets);
    }

    [Theory]
    [MemberData(nameof(SocketSets))]
    public async Task Under_forgeries_strays_and_duplicates_every_query_gets_its_own_answer(string sockets)
    {
        const int Seed = 2026;   // the server's choices come from it: a failure replays with the same seed
        var random = new Random(Seed);
        var strays = 0;
        var duplicates = 0;
        await using var server = new ScriptedDnsServer(async (s, q, from) =>
        {
            var answer = Replies.Answer(q, AddressOf(IndexOf(q)));
            var forged = Replies.Answer(q, "203.0.113.66");
            var kind = random.Next(5);
            if (kind < 4)
                strays++;
            switch (kind)
            {
                case 0:   // right id and question, from another port: an off-path forger who guessed both
                    await s.Stranger(forged, from);
                    break;
                case 1:   // from the server, with another id
                    await s.Reply(Replies.WithId(forged, (ushort)(Replies.IdOf(q) ^ random.Next(1, 65536))), from);
                    break;
                case 2:   // from the server, the right id, another question
                    forged[13] = (byte)'x';
                    await s.Reply(forged, from);
                    break;
                case 3:   // not DNS at all
                    await s.Reply([(byte)random.Next(256)], from);
                    break;
            }
            await s.Reply(answer, from);
            if (random.Next(4) == 0)
            {
                duplicates++;
                await s.Reply(answer, from);
            }
        });
        using var transport = Transport(sockets, lanes: 2);

        var replies = await AskAllAsync(transport, server, 800);

        Assert.All(replies, r => Assert.Equal(AddressOf(r.Index), AnswerOf(r.Reply)));
        // Every stray came while its query waited; a duplicate after the answer may find its socket closed.
        Assert.InRange(transport.Ignored, strays, strays + duplicates);
    }

    [Theory]
    [MemberData(nameof(SocketSets))]
    public async Task A_query_sent_from_the_previous_ones_continuation_goes_out(string sockets)
    {
        // Each await continues on the receiver, which sends what continuations send once it has read all that is
        // ready: a chain of queries, each asked when the last is answered, must still run to the end.
        await using var server = new ScriptedDnsServer((s, q, from) => s.Reply(Replies.Answer(q, AddressOf(IndexOf(q))), from));
        using var transport = Transport(sockets);

        for (var i = 0; i < 300; i++)
            Assert.Equal(AddressOf(i), AnswerOf(await AskAsync(transport, server.Endpoint, $"h{i}.udp.test")));
    }

    [Theory]
    [MemberData(nameof(SocketSets))]
    public async Task Each_socket_is_closed_once_spent_and_ports_spread_over_the_range(string sockets)
    {
        await using var server = new ScriptedDnsServer((s, q, from) => s.Reply(Replies.Answer(q, AddressOf(IndexOf(q))), from));
        using var transport = Transport(sockets, lanes: 2);

        var replies = await AskAllAsync(transport, server, 1000);

        Assert.All(replies, r => Assert.Equal(AddressOf(r.Index), AnswerOf(r.Reply)));
        // 1,000 queries, two a socket: 500 sockets on random ports of ~28,000, so a handful of repeats at most.
        Assert.InRange(transport.DistinctSourcePorts, 450, 501);
        Assert.InRange(transport.OpenSockets, 0, 2);   // at most one half used on each lane, waiting for its second query
    }

    [Theory]
    [MemberData(nameof(SocketSets))]
    public async Task Silence_ends_in_no_reply_once_the_timeout_has_passed(string sockets)
    {
        await using var server = new ScriptedDnsServer((_, _, _) => Task.CompletedTask);
        using var transport = Transport(sockets);
        var started = Stopwatch.GetTimestamp();

        var reply = await AskAsync(transport, server.Endpoint, "h1.udp.test", timeout: TimeSpan.FromMilliseconds(300));

        Assert.Null(reply);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(300));
    }

    [Theory]
    [MemberData(nameof(SocketSets))]
    public async Task A_reply_after_the_timeout_is_ignored_and_the_socket_still_serves_its_next_query(string sockets)
    {
        await using var server = new ScriptedDnsServer(async (s, q, from) =>
        {
            if (IndexOf(q) == 1)
                await Task.Delay(400);   // past the first query's timeout
            await s.Reply(Replies.Answer(q, AddressOf(IndexOf(q))), from);
        });
        using var transport = Transport(sockets);

        var late = await AskAsync(transport, server.Endpoint, "h1.udp.test", timeout: TimeSpan.FromMilliseconds(150));
        var next = await AskAsync(transport, server.Endpoint, "h2.udp.test");   // the same socket: its second query

        Assert.Null(late);
        Assert.Equal(AddressOf(2), AnswerOf(next));
        Assert.Equal(1, transport.DistinctSourcePorts);
        await WaitUntil(() => transport.Ignored == 1);   // the late answer came to a socket still open
    }

    [Theory]
    [MemberData(nameof(SocketSets))]
    public async Task A_caller_that_gives_up_ends_its_query_and_the_transport_goes_on(string sockets)
    {
        await using var server = new ScriptedDnsServer(async (s, q, from) =>
        {
            if (IndexOf(q) != 1)
                await s.Reply(Replies.Answer(q, AddressOf(IndexOf(q))), from);
        });
        using var transport = Transport(sockets);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            AskAsync(transport, server.Endpoint, "h1.udp.test", timeout: TimeSpan.FromSeconds(30), cancellationToken: stop.Token));

        Assert.Equal(AddressOf(2), AnswerOf(await AskAsync(transport, server.Endpoint, "h2.udp.test")));
        Assert.Equal(AddressOf(3), AnswerOf(await AskAsync(transport, server.Endpoint, "h3.udp.test")));
        await WaitUntil(() => transport.OpenSockets == 1);   // the first socket, spent, closed; the second half used
    }

    [Theory]
    [MemberData(nameof(SocketSets))]
    public async Task Disposing_ends_waiting_queries_with_no_reply_and_refuses_new_ones(string sockets)
    {
        await using var server = new ScriptedDnsServer((_, _, _) => Task.CompletedTask);
        var transport = Transport(sockets);
        var waiting = AskAsync(transport, server.Endpoint, "h1.udp.test", timeout: TimeSpan.FromSeconds(30));

        transport.Dispose();

        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await AskAsync(transport, server.Endpoint, "h2.udp.test"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = 0; !condition() && waited < 5_000; waited += 20)
            await Task.Delay(20);
        Assert.True(condition());
    }
}

/// <summary>Both socket sets against Knot, over IPv4 and IPv6.</summary>
[Collection(DnsServersGroup.Name)]
public sealed class UdpTransportRealServerTests(DnsServersFixture servers)
{
    [Theory]
    [MemberData(nameof(UdpTransportTests.SocketSets), MemberType = typeof(UdpTransportTests))]
    public async Task Knot_answers_over_ipv4_and_ipv6(string sockets)
    {
        using var transport = UdpTransportTests.Transport(sockets);

        var a = await UdpTransportTests.AskAsync(transport, servers.Knot.V4.Endpoint, "www.example.test");
        var aaaa = await UdpTransportTests.AskAsync(transport, servers.Knot.V6.Endpoint, "www.example.test", RecordType.AAAA);

        Assert.Equal("192.0.2.10", a?.Message?.Answers.OfType<AddressRecord>().Single().Address.ToString());
        Assert.Equal(IPAddress.Parse("2001:db8::10"), aaaa?.Message?.Answers.OfType<AddressRecord>().Single().Address);
        Assert.InRange(transport.DistinctSourcePorts, 1, 2);   // one socket per address family (their ports may coincide)
        Assert.Equal(0, transport.Ignored);
    }
}
