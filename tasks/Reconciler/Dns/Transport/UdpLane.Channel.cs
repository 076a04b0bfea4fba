using System.Net.Sockets;

namespace Reconciler.Dns.Transport;

internal sealed partial class UdpLane
{
    /// <summary>One short-lived socket and the queries waiting on it. Its state is read and written under the lane's lock.</summary>
    private sealed class Channel(DatagramSocket socket, AddressFamily family, ulong key)
    {
        private readonly Pending?[] _entries = new Pending?[QueriesPerSocket];
        private int _used;

        public DatagramSocket Socket { get; } = socket;
        public AddressFamily Family { get; } = family;
        public ulong Key { get; } = key;
        /// <summary>Out of the open set, closed or about to be: nothing may read it.</summary>
        public bool Retired { get; set; }
        public bool PortCounted { get; set; }

        public bool IsFull => _used >= QueriesPerSocket;

        public bool IsEmpty
        {
            get
            {
                foreach (var entry in _entries)
                {
                    if (entry is not null)
                        return false;
                }
                return true;
            }
        }

        /// <summary>Draws the query an id no other query waiting on this socket has.</summary>
        public void Add(Pending pending, TransactionIds ids)
        {
            _used++;
            do
                pending.Id = ids.Next();
            while (Find(pending.Id) is not null);
            _entries[IndexOf(null)] = pending;
        }

        public Pending? Find(ushort id)
        {
            foreach (var entry in _entries)
            {
                if (entry is not null && entry.Id == id)
                    return entry;
            }
            return null;
        }

        /// <summary>By entry: once answered, the id may already belong to a newer query on this socket.</summary>
        public bool Remove(Pending pending)
        {
            var index = IndexOf(pending);
            if (index < 0)
                return false;
            _entries[index] = null;
            return true;
        }

        /// <summary>Takes out the queries whose time is up or whose caller gave up; returns how many.</summary>
        public int TakeDue(long now, List<Pending> due)
        {
            var taken = 0;
            for (var i = 0; i < _entries.Length; i++)
            {
                if (_entries[i] is { } entry && (entry.Deadline <= now || entry.CancellationToken.IsCancellationRequested))
                {
                    due.Add(entry);
                    _entries[i] = null;
                    taken++;
                }
            }
            return taken;
        }

        public void TakeAll(List<Pending> taken)
        {
            for (var i = 0; i < _entries.Length; i++)
            {
                if (_entries[i] is { } entry)
                    taken.Add(entry);
                _entries[i] = null;
            }
        }

        private int IndexOf(Pending? pending)
        {
            for (var i = 0; i < _entries.Length; i++)
            {
                if (ReferenceEquals(_entries[i], pending))
                    return i;
            }
            return -1;
        }
    }
}
