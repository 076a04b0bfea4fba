using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Resolution;
using Reconciler.Dns.Transport;
using Reconciler.Dns.Wire;
using Reconciler.Tests.Support;

namespace Reconciler.Tests.Dns;

/// <summary>
/// Names travel as wire labels from an answer to the next query: whatever bytes a label holds (escaped only to be
/// printed), the target of a CNAME is asked byte for byte, and a reply is matched by the labels it carries.
/// </summary>
public sealed class WireNameTests
{
    private static readonly DnsTransportOptions Quick = new() { Timeout = TimeSpan.FromMilliseconds(500), Attempts = 1 };

    private static readonly byte[] Sixty3Ones = [.. Enumerable.Repeat((byte)1, 63)];

    /// <summary>Length-prefixed labels and the root label.</summary>
    private static byte[] Wire(params byte[][] labels) => [.. labels.SelectMany(l => (byte[])[(byte)l.Length, .. l]), 0];

    private static byte[] Ascii(string label) => [.. label.Select(c => (byte)c)];

    [Theory]
    [InlineData("www.example.test", "www.example.test")]
    [InlineData("www.example.test.", "www.example.test")]
    [InlineData("a\\.b.example.test", "a\\.b.example.test")]
    [InlineData("a\\\\b.test", "a\\\\b.test")]
    [InlineData("\\001\\255x.test", "\\001\\255x.test")]
    [InlineData("\\065bc.test", "Abc.test")]
    [InlineData(".", "")]
    public void The_text_form_reads_escapes_and_prints_as_dig_does(string text, string printed)
    {
        var name = DnsName.Parse(text);

        Assert.Equal(printed, name.ToString());
        Assert.Equal(name, DnsName.Parse(printed.Length == 0 ? "." : printed));
    }

    [Fact]
    public void A_dot_inside_a_label_is_one_label_not_two()
    {
        Assert.Equal(Wire(Ascii("a.b"), Ascii("test")), DnsName.Parse("a\\.b.test").Wire.ToArray());
        Assert.Equal(Wire(Ascii("a"), Ascii("b"), Ascii("test")), DnsName.Parse("a.b.test").Wire.ToArray());
        Assert.NotEqual(DnsName.Parse("a\\.b.test"), DnsName.Parse("a.b.test"));
    }

    [Fact]
    public void Names_compare_without_case_for_ascii_letters_only()
    {
        Assert.Equal(DnsName.Parse("WWW.Example.TEST"), DnsName.Parse("www.example.test"));
        Assert.Equal(DnsName.Parse("WWW.Example.TEST").GetHashCode(), DnsName.Parse("www.example.test").GetHashCode());
        // RFC 4343: bytes beyond ASCII are not letters: 0xC0 and 0xE0 (Latin-1's À and à) differ.
        Assert.NotEqual(DnsName.Parse("\\192.test"), DnsName.Parse("\\224.test"));
        // '[' (0x5B) and '{' (0x7B) differ by the case bit and are not letters either.
        Assert.NotEqual(DnsName.Parse("[.test"), DnsName.Parse("{.test"));
        Assert.NotEqual(DnsName.Parse("ab.test"), DnsName.Parse("ab.tests"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a..example", "empty label")]
    [InlineData(".a", "empty label")]
    [InlineData("bücher.example", "beyond ASCII")]
    [InlineData("a\\", "lone backslash")]
    [InlineData("a\\25", "cut off")]
    [InlineData("a\\2x5.b", "three digits")]
    [InlineData("a\\256.b", "not a byte")]
    public void Text_that_names_nothing_dns_can_ask_is_refused_with_why(string text, string why)
    {
        Assert.False(DnsName.TryParse(text, out _, out var error));
        Assert.Contains(why, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_and_names_over_their_limits_are_refused_and_those_at_them_accepted()
    {
        var label63 = new string('a', 63);
        Assert.True(DnsName.TryParse(label63 + ".test", out _, out _));
        Assert.False(DnsName.TryParse(label63 + "a.test", out _, out var longLabel));
        Assert.Contains("63", longLabel, StringComparison.Ordinal);
        // 255 octets on the wire: four labels of 63 (4 × 64 = 256) is one too many; 63+63+63+61 is exactly 255.
        Assert.False(DnsName.TryParse(string.Join('.', Enumerable.Repeat(label63, 4)), out _, out var longName));
        Assert.Contains("255", longName, StringComparison.Ordinal);
        Assert.True(DnsName.TryParse($"{label63}.{label63}.{label63}.{new string('b', 61)}", out var longest, out _));
        Assert.Equal(255, longest.Wire.Length);
        // Escapes count as the one byte they stand for.
        Assert.True(DnsName.TryParse(string.Concat(Enumerable.Repeat("\\001", 63)) + ".test", out var escaped, out _));
        Assert.Equal(Wire(Sixty3Ones, Ascii("test")), escaped.Wire.ToArray());
    }

    /// <summary>
    /// Random names of random bytes (seed: RECONCILER_WIRE_NAME_SEED) go into a message, are read back, printed and parsed
    /// again: the labels survive byte for byte, and a query written from the name read carries the same bytes.
    /// </summary>
    [Fact]
    public void Any_label_bytes_survive_the_decoder_the_text_form_and_the_query_writer()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RECONCILER_WIRE_NAME_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var given) ? given : 24_05;
        var random = new Random(seed);
        var escapedSeen = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var labels = new List<byte[]>();
            var octets = 1;
            for (var count = random.Next(1, 6); labels.Count < count;)
            {
                var label = new byte[random.Next(1, 64)];
                random.NextBytes(label);
                if (octets + 1 + label.Length > 255)
                    break;
                octets += 1 + label.Length;
                labels.Add(label);
            }
            var wire = Wire([.. labels]);
            byte[] reply = [0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, .. wire, 0, 1, 0, 1];

            var read = Assert.Single(DnsMessageReader.Read(reply).Questions).Name;
            var text = read.ToString();
            var reparsed = DnsName.Parse(text);
            var query = DnsQueryWriter.Write(7, new DnsQuestion(read, RecordType.A), ednsUdpPayloadSize: null);

            Assert.True(wire.AsSpan().SequenceEqual(read.Wire), $"seed {seed}, name {i}: decoded labels differ");
            Assert.True(wire.AsSpan().SequenceEqual(reparsed.Wire), $"seed {seed}, name {i}: '{text}' parses to other labels");
            Assert.True(wire.AsSpan().SequenceEqual(query.AsSpan(12, wire.Length)), $"seed {seed}, name {i}: the query carries other labels");
            Assert.DoesNotContain(text, c => c < 0x21 || c > 0x7E);
            if (text.Contains('\\', StringComparison.Ordinal))
                escapedSeen++;
        }
        // The positive control: random bytes must have exercised escapes, or the test proved nothing about them.
        Assert.True(escapedSeen > 1_000, $"seed {seed}: only {escapedSeen} names needed escapes");
    }

    [Fact]
    public void A_ttl_with_the_top_bit_set_reads_as_zero_and_one_below_it_as_itself()
    {
        uint[] fields = [0x8000_0000, 0xFFFF_FFFF, 0x7FFF_FFFF, 300];
        var ttls = fields.Select(field => Assert.Single(DnsMessageReader.Read(AnswerWithTtl(field)).Answers).Ttl);

        Assert.Equal([0u, 0u, 2_147_483_647u, 300u], ttls);
    }

    /// <summary>A reply to "x A" with one A record (192.0.2.10) whose TTL field is the given 32 bits.</summary>
    private static byte[] AnswerWithTtl(uint ttl)
    {
        byte[] message = [0, 1, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, (byte)'x', 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 10];
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(25), ttl);
        return message;
    }

    [Theory]
    [InlineData("ones")]
    [InlineData("dot")]
    public async Task A_cname_to_a_label_the_text_form_escapes_is_asked_as_its_labels_and_resolves(string which)
    {
        // The server stops at the CNAME (as an authoritative server does for another zone): the resolver must ask the target.
        byte[] target = which == "ones" ? Wire(Sixty3Ones, Ascii("other"), Ascii("test")) : Wire(Ascii("a.b"), Ascii("other"), Ascii("test"));
        var host = Wire(Ascii("alias"), Ascii("crafted"), Ascii("test"));
        var asked = new List<byte[]>();
        await using var server = new ScriptedDnsServer(async (s, q, from) =>
        {
            var name = QuestionName(q);
            lock (asked)
                asked.Add(name);
            if (name.AsSpan().SequenceEqual(host))
                await s.Reply(Reply(q, [Record(5, 300, target)]), from);
            else if (name.AsSpan().SequenceEqual(target))
                await s.Reply(Reply(q, [Record(1, 0xFFFF_FFFF, [192, 0, 2, 10])]), from);
            else
                await s.Reply(Reply(q, [], rcode: 3), from);
        });
        await using var client = new DnsLookupClient(Quick);

        var lookup = await new HostResolver(client, TimeProvider.System).ResolveAsync(new NameServer(server.Endpoint), "alias.crafted.test", RecordType.A);

        Assert.True(lookup.Outcome == DnsOutcome.Answer, $"{lookup.Outcome}: {lookup.Error}");
        Assert.Equal([(IPAddress.Parse("192.0.2.10"), 0u)], lookup.Addresses.Select(a => (a.Address, a.Ttl)));
        Assert.True(target.AsSpan().SequenceEqual(Assert.Single(lookup.Chain).Target.Wire));
        Assert.Equal(2, asked.Count);
        Assert.True(asked[1].AsSpan().SequenceEqual(target), "the target was asked as other labels than the answer gave");
    }

    [Fact]
    public async Task A_host_that_cannot_be_asked_fails_alone_and_sends_nothing()
    {
        await using var server = new ScriptedDnsServer(async (s, q, from) => await s.Reply(Reply(q, [Record(1, 60, [192, 0, 2, 10])]), from));
        await using var client = new DnsLookupClient(Quick);
        var resolver = new HostResolver(client, TimeProvider.System);

        var bad = await resolver.ResolveAsync(new NameServer(server.Endpoint), "a..crafted.test", RecordType.A);
        var good = await resolver.ResolveAsync(new NameServer(server.Endpoint), "ok.crafted.test", RecordType.A);

        Assert.Equal(DnsOutcome.Malformed, bad.Outcome);
        Assert.Contains("cannot be asked as a DNS name: an empty label", bad.Error, StringComparison.Ordinal);
        Assert.Equal(DnsOutcome.Answer, good.Outcome);
        Assert.Equal(1, server.QueriesSeen);
    }

    /// <summary>The question name of a query, as its wire labels.</summary>
    private static byte[] QuestionName(byte[] query)
    {
        var end = 12;
        while (query[end] != 0)
            end += query[end] + 1;
        return query[12..(end + 1)];
    }

    /// <summary>An answer record owned by the question's name (a pointer to offset 12), of a type, TTL and RDATA.</summary>
    private static byte[] Record(ushort type, uint ttl, byte[] data)
    {
        var record = new byte[12 + data.Length];
        record[0] = 0xc0;
        record[1] = 12;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(2), type);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(6), ttl);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(10), (ushort)data.Length);
        data.CopyTo(record, 12);
        return record;
    }

    /// <summary>A reply copying the query's id and question (no EDNS), with the records given.</summary>
    private static byte[] Reply(byte[] query, byte[][] answers, byte rcode = 0)
    {
        var questionEnd = QuestionName(query).Length + 12 + 4;
        byte[] reply = [.. query[..questionEnd], .. answers.SelectMany(a => a)];
        reply[2] = (byte)(0x84 | (query[2] & 0x01));
        reply[3] = rcode;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(6), (ushort)answers.Length);
        reply[8] = reply[9] = reply[10] = reply[11] = 0;
        return reply;
    }
}
