using Reconciler.Dns.Records;
using System.Diagnostics;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Transport;
using Reconciler.Dns.Wire;

namespace Reconciler.Dns.Resolution;

/// <summary>
/// Asks one server one question: UDP with EDNS(0), TCP when the answer is truncated (or always, in TCP-only
/// mode), retrying only silence. The answer is classified, never thrown.
/// </summary>
public sealed class DnsLookupClient(DnsTransportOptions options) : IAsyncDisposable, IDisposable
{
    private readonly UdpTransport _udp = new();
    private readonly RoundTripTimes _rtt = new();

    public DnsTransportOptions Options => options;

    /// <summary>Replies dropped because they answered nothing we asked (wrong id, sender or question).</summary>
    public long IgnoredReplies => _udp.Ignored;

    /// <summary>Distinct local ports UDP queries have left from (README, DNS: each socket serves two queries).</summary>
    public int DistinctSourcePorts => _udp.DistinctSourcePorts;

    public async Task<DnsResponse> QueryAsync(NameServer server, DnsQuestion question, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var query = DnsQueryWriter.Write(0, question, options.RecursionDesired, options.UdpPayloadSize);
        for (var attempt = 1; attempt <= Math.Max(1, options.Attempts); attempt++)
        {
            var usedTcp = options.TcpOnly || server.TcpOnly;
            DnsReply? reply;
            if (usedTcp)
            {
                reply = await TcpTransport.ExchangeAsync(query, question, server.Endpoint, options.Timeout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var timeout = attempt == 1 ? _rtt.FirstAttemptTimeout(server.Endpoint, options.Timeout) : options.Timeout;
                var sent = Stopwatch.GetTimestamp();
                reply = await _udp.ExchangeAsync(query, question, server.Endpoint, timeout, cancellationToken).ConfigureAwait(false);
                if (reply is not null)
                    _rtt.Observe(server.Endpoint, Stopwatch.GetElapsedTime(sent));
            }
            if (reply is null)
                continue;
            if (!usedTcp && reply.IsTruncated)
            {
                usedTcp = true;
                reply = await TcpTransport.ExchangeAsync(query, question, server.Endpoint, options.Timeout, cancellationToken).ConfigureAwait(false);
                if (reply is null)
                    continue;
            }
            return Classify(server, question, reply, usedTcp, Stopwatch.GetElapsedTime(started));
        }
        return new DnsResponse(server, question, DnsOutcome.Timeout, null, Stopwatch.GetElapsedTime(started), options.TcpOnly || server.TcpOnly,
            $"no answer in {options.Attempts} attempts of {options.Timeout.TotalSeconds:0.##} s");
    }

    private static DnsResponse Classify(NameServer server, DnsQuestion question, DnsReply reply, bool usedTcp, TimeSpan elapsed)
    {
        if (reply.Message is not { } message)
            return new DnsResponse(server, question, DnsOutcome.Malformed, null, elapsed, usedTcp, reply.Error?.Message);
        var outcome = message.ResponseCode switch
        {
            ResponseCode.NoError => HasAnswer(message.Answers, question.Type) ? DnsOutcome.Answer : DnsOutcome.NoData,
            ResponseCode.NxDomain => DnsOutcome.NxDomain,
            ResponseCode.ServFail => DnsOutcome.ServFail,
            ResponseCode.Refused => DnsOutcome.Refused,
            _ => DnsOutcome.OtherError,
        };
        return new DnsResponse(server, question, outcome, message, elapsed, usedTcp);
    }

    private static bool HasAnswer(IReadOnlyList<DnsRecord> answers, RecordType type)
    {
        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i].TypeCode == (ushort)type || answers[i].Type == RecordType.CNAME)
                return true;
        }
        return false;
    }

    public void Dispose() => _udp.Dispose();

    public ValueTask DisposeAsync()
    {
        _udp.Dispose();
        return ValueTask.CompletedTask;
    }
}
