using System.Collections.Concurrent;
using System.Net;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Records;
using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;
using Reconciler.Dns.Wire;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Dns;

/// <summary>
/// Source-port randomization, seen from the server's side: queries leave from many ports, every reply still
/// reaches only its own query, and the transport never holds more sockets than its bound.
/// </summary>
public sealed class SourcePortTests
{
    // Patient: these tests are about ports and delivery, and the scripted server shares a busy machine with them.
    private static readonly DnsTransportOptions Patient = new() { Timeout = TimeSpan.FromSeconds(5), Attempts = 3 };

    /// <summary>The address a scripted server gives h{i}.ports.test: a function of the name, so a misdelivery shows.</summary>
    private static string AddressOf(int i) => $"10.{i >> 16 & 0xFF}.{i >> 8 & 0xFF}.{i & 0xFF}";

    private static int IndexOf(byte[] query) =>
        int.Parse(DnsMessageReader.Read(query).Questions[0].Name.ToString().Split('.')[0][1..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>h0 … h{count-1}.ports.test, 64 at a time: as a bulk run asks, and under what the scripted server's buffer holds.</summary>
    private static async Task<(int Index, DnsResponse Response)[]> QueryAllAsync(DnsLookupClient client, ScriptedDnsServer server, int count)
    {
        using var gate = new SemaphoreSlim(64);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                return (i, await client.QueryAsync(new NameServer(server.Endpoint), new DnsQuestion($"h{i}.ports.test", RecordType.A)));
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    [Fact]
    public async Task Four_thousand_queries_leave_from_at_least_a_thousand_ports_the_server_sees()
    {
        var ports = new ConcurrentDictionary<int, bool>();
        await using var server = new ScriptedDnsServer((s, q, from) =>
        {
            ports[((IPEndPoint)from).Port] = true;   // the kernel may hand a freed port out again
            return s.Reply(Replies.Answer(q, AddressOf(IndexOf(q))), from);
        });
        await using var client = new DnsLookupClient(Patient);

        var responses = await QueryAllAsync(client, server, 4000);

        Assert.All(responses, r => Assert.Equal(AddressOf(r.Index), r.Response.Message!.Answers.OfType<AddressRecord>().Single().Address.ToString()));
        Assert.True(ports.Count >= 1000, $"4,000 queries came from {ports.Count} ports");
        Assert.Equal(ports.Count, client.DistinctSourcePorts);   // what the client reports is what the server saw
    }

    [Fact]
    public async Task Concurrent_queries_with_every_reply_sent_twice_each_get_their_own_answer()
    {
        await using var server = new ScriptedDnsServer(async (s, q, from) =>
        {
            var reply = Replies.Answer(q, AddressOf(IndexOf(q)));
            await s.Reply(reply, from);
            await s.Reply(reply, from);
        });
        await using var client = new DnsLookupClient(Patient);

        var responses = await QueryAllAsync(client, server, 300);

        Assert.All(responses, r => Assert.Equal([AddressOf(r.Index)], r.Response.Message!.Answers.OfType<AddressRecord>().Select(a => a.Address.ToString())));
        Assert.InRange(client.IgnoredReplies, 0, 300);   // a duplicate is dropped, or lost with its closed socket
    }

    [Fact]
    public async Task Queries_beyond_the_socket_bound_wait_for_a_socket_instead_of_opening_one()
    {
        var ports = new ConcurrentDictionary<int, bool>();
        await using var server = new ScriptedDnsServer((_, _, from) =>
        {
            ports[((IPEndPoint)from).Port] = true;
            return Task.CompletedTask;   // silence: every query holds its socket
        });
        using var transport = new UdpTransport();
        using var stop = new CancellationTokenSource();
        var bound = UdpTransport.MaxOpenSockets * UdpTransport.QueriesPerSocket;

        var queries = Enumerable.Range(0, bound + 300).Select(i =>
        {
            var question = new DnsQuestion($"h{i}.ports.test", RecordType.A);
            return transport.ExchangeAsync(DnsQueryWriter.Write(0, question), question, server.Endpoint, TimeSpan.FromSeconds(30), stop.Token);
        }).ToList();
        for (var waited = 0; transport.DistinctSourcePorts < UdpTransport.MaxOpenSockets && waited < 20_000; waited += 20)
            await Task.Delay(20);
        await Task.Delay(300);

        // No socket closes while its queries wait, so every socket opened has a port of its own. (The server may
        // not see every query: a burst of a thousand overflows its receive buffer, which is the point of a bound.)
        Assert.Equal(UdpTransport.MaxOpenSockets, transport.DistinctSourcePorts);
        Assert.InRange(ports.Count, 1, UdpTransport.MaxOpenSockets);
        Assert.InRange(server.QueriesSeen, 1, bound);
        Assert.Equal(bound + 300, queries.Count(q => !q.IsCompleted));
        await stop.CancelAsync();
        foreach (var query in queries)
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
    }
}
