namespace Reconciler.Yaml;

/// <summary>Where each line of a text starts, computed once, so that an offset finds its line by binary search.</summary>
public sealed class LineIndex
{
    private readonly List<int> _starts = [0];
    private readonly int _length;

    public LineIndex(string text)
    {
        _length = text.Length;
        for (var i = text.IndexOf('\n'); i >= 0 && i < text.Length - 1; i = text.IndexOf('\n', i + 1))
            _starts.Add(i + 1);
    }

    public int Count => _starts.Count;

    /// <summary>The 0-based line holding the offset.</summary>
    public int LineOf(int offset)
    {
        var found = _starts.BinarySearch(offset);
        return found >= 0 ? found : ~found - 1;
    }

    public int StartOf(int line) => _starts[line];

    /// <summary>Where the line ends, its newline included.</summary>
    public int EndOf(int line) => line + 1 < _starts.Count ? _starts[line + 1] : _length;
}
