namespace Reconciler.Policies.Validation;

/// <summary>Addresses and prefixes in numeric order (IPv4 first), so that 4.0.0.0 comes before 20.0.0.0; anything else after, as text.</summary>
internal sealed class AddressOrder : IComparer<string>
{
    public static AddressOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        var a = Key(x);
        var b = Key(y);
        if (a is null || b is null)
            return a is null && b is null ? string.CompareOrdinal(x, y) : a is null ? 1 : -1;
        var byFamily = a.Value.Bytes.Length.CompareTo(b.Value.Bytes.Length);
        if (byFamily != 0)
            return byFamily;
        var byBytes = a.Value.Bytes.AsSpan().SequenceCompareTo(b.Value.Bytes);
        return byBytes != 0 ? byBytes : a.Value.Prefix.CompareTo(b.Value.Prefix);
    }

    private static (byte[] Bytes, int Prefix)? Key(string? text) =>
        text is not null && Networks.TryParse(text, out var network, out _) ? (network.BaseAddress.GetAddressBytes(), network.PrefixLength) : null;
}
