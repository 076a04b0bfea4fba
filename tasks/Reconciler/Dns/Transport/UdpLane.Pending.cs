using System.Net;
using System.Net.Sockets;
using Reconciler.Dns.Protocol;

namespace Reconciler.Dns.Transport;

internal sealed partial class UdpLane
{
    /// <summary>
    /// One query waiting for its reply. A class, not a record: two queries for the same question at the same server
    /// must stay two entries. Completed on the receiving thread and continued there: one thread hop fewer per query.
    /// </summary>
    private sealed class Pending(DnsQuestion question, IPEndPoint server, long timeoutTicks, CancellationToken cancellationToken)
        : TaskCompletionSource<DnsReply?>
    {
        public DnsQuestion Question { get; } = question;
        public IPEndPoint Server { get; } = server;
        public long TimeoutTicks { get; } = timeoutTicks;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        /// <summary>In Stopwatch ticks; set when the query gets its socket.</summary>
        public long Deadline { get; set; }
        public SocketAddress ServerAddress { get; set; } = null!;
        public ushort Id { get; set; }
    }
}
