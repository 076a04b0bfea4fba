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

    // A sort compares each text many times, and parsing one allocates: a plan of 10,000 dependencies sorted its way
    // through hundreds of megabytes. The keys of the texts seen last are kept (per thread; a key depends on the text only).
    [ThreadStatic]
    private static Dictionary<string, (byte[] Bytes, int Prefix)?>? t_keys;

    private const int KeysKept = 4096;

    private static (byte[] Bytes, int Prefix)? Key(string? text)
    {
        if (text is null)
            return null;
        var keys = t_keys ??= new Dictionary<string, (byte[] Bytes, int Prefix)?>(StringComparer.Ordinal);
        if (keys.TryGetValue(text, out var key))
            return key;
        if (keys.Count >= KeysKept)
            keys.Clear();
        return keys[text] = Networks.TryParse(text, out var network, out _) ? (network.BaseAddress.GetAddressBytes(), network.PrefixLength) : null;
    }
}
