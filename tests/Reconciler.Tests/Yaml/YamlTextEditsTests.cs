using Reconciler.Yaml;

namespace Reconciler.Tests.Yaml;

public sealed class YamlTextEditsTests
{
    /// <summary>The meaning of a set of edits: each applied to the text in turn, from the last place to the first.</summary>
    private static string OneByOne(string text, IEnumerable<TextEdit> edits)
    {
        foreach (var edit in edits.OrderByDescending(e => e.Start).ThenByDescending(e => e.End))
            text = text[..edit.Start] + edit.Replacement + text[edit.End..];
        return text;
    }

    [Fact]
    public void One_pass_gives_what_applying_the_edits_one_by_one_gives_including_insertions_at_one_place()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 2000; trial++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 60)).Select(_ => (char)('a' + random.Next(26)))]);
            var edits = new List<TextEdit>();
            var at = 0;
            while (at <= text.Length && random.Next(4) > 0)
            {
                var start = Math.Min(text.Length, at + random.Next(0, 5));
                var end = Math.Min(text.Length, start + random.Next(0, 4));
                edits.Add(new TextEdit(start, end, random.Next(3) == 0 ? "" : $"<{trial}.{edits.Count}>"));
                if (random.Next(3) == 0)
                    edits.Add(new TextEdit(end, end, $"[{edits.Count}]")); // an insertion where the last edit ends
                at = end + (random.Next(2) == 0 ? 0 : 1);
            }
            var shuffled = edits.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(OneByOne(text, shuffled), YamlTextEdits.Apply(text, shuffled));
        }
    }
}
