using System.Net;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Records;
using Reconciler.Dns.Wire;

namespace Reconciler.Tests.Dns;

public sealed class DnsMessageReaderTests
{
    // Knot 3.2 answering "www.example.test A" with EDNS, captured on loopback.
    internal static readonly byte[] WwwAnswer =
    [
        0xbe, 0xef,             // id
        0x84, 0x00,             // QR AA, NOERROR
        0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, // 1 question, 1 answer, 0 authority, 1 additional
        3, (byte)'w', (byte)'w', (byte)'w', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e',
        4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0, // www.example.test.
        0x00, 0x01, 0x00, 0x01, // A IN
        0xc0, 0x0c,             // pointer to offset 12: www.example.test.
        0x00, 0x01, 0x00, 0x01, // A IN
        0x00, 0x00, 0x01, 0x2c, // TTL 300
        0x00, 0x04, 192, 0, 2, 10, // RDLENGTH 4: 192.0.2.10
        0x00,                   // OPT: root owner
        0x00, 0x29, 0x04, 0xd0, // OPT, payload 1232
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // ext rcode 0, version 0, flags 0, RDLENGTH 0
    ];

    // Knot answering "chain1.example.test A": chain1 -> chain2 -> chain3 -> 192.0.2.20, names compressed.
    internal static readonly byte[] ChainAnswer = Convert.FromHexString(
        "beef8400000100030000000106636861696e31076578616d706c6504746573740000010001" +
        "c00c000500010000012c000906636861696e32c013" +      // chain1 CNAME chain2.<pointer to example.test>
        "c031000500010000012c000906636861696e33c013" +      // chain2 (pointer into the previous RDATA) CNAME chain3
        "c046000100010000012c0004c0000214" +                // chain3 A 192.0.2.20
        "00002904d0000000000000");

    // Knot answering "nx.example.test A": NXDOMAIN with the zone's SOA in the authority section.
    internal static readonly byte[] NxDomainAnswer = Convert.FromHexString(
        "beef84030001000000010001026e78076578616d706c6504746573740000010001" +
        "c00f000600010000003c0027036e7331c00f0a686f73746d6173746572c00f0000000100000e1000000258000151800000003c" +
        "00002904d0000000000000");

    [Fact]
    public void A_real_answer_decodes_with_its_ttl_and_edns()
    {
        var message = DnsMessageReader.Read(WwwAnswer);

        Assert.True(message.Header.IsResponse && message.Header.IsAuthoritative);
        Assert.Equal(0xbeef, message.Header.Id);
        Assert.Equal(new DnsQuestion("www.example.test", RecordType.A), message.Questions.Single());
        var a = Assert.IsType<AddressRecord>(Assert.Single(message.Answers));
        Assert.Equal(("www.example.test", IPAddress.Parse("192.0.2.10"), 300u), (a.Name.ToString(), a.Address, a.Ttl));
        Assert.Equal(1232, message.Opt!.UdpPayloadSize);
        Assert.Equal(ResponseCode.NoError, message.ResponseCode);
    }

    [Fact]
    public void Compressed_names_inside_cname_data_expand()
    {
        var answers = DnsMessageReader.Read(ChainAnswer).Answers;

        Assert.Equal(
            ["chain1.example.test -> chain2.example.test", "chain2.example.test -> chain3.example.test"],
            answers.OfType<NameRecord>().Select(r => $"{r.Name} -> {r.Target}"));
        Assert.Equal(IPAddress.Parse("192.0.2.20"), answers.OfType<AddressRecord>().Single().Address);
    }

    [Fact]
    public void Nxdomain_carries_the_soa_for_negative_caching()
    {
        var message = DnsMessageReader.Read(NxDomainAnswer);

        Assert.Equal(ResponseCode.NxDomain, message.ResponseCode);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(message.Authorities));
        Assert.Equal(("ns1.example.test", "hostmaster.example.test", 1u, 60u), (soa.PrimaryServer.ToString(), soa.Mailbox.ToString(), soa.Serial, soa.Minimum));
    }

    [Fact]
    public void Unknown_record_types_are_kept_as_opaque_data()
    {
        var bytes = Answer(type: 99, rdata: [1, 2, 3]);

        var record = Assert.IsType<UnknownRecord>(Assert.Single(DnsMessageReader.Read(bytes).Answers));

        Assert.Equal(99, record.TypeCode);
        Assert.Equal([1, 2, 3], record.Data);
    }

    [Fact]
    public void Txt_records_keep_every_string()
    {
        var bytes = Answer(type: 16, rdata: [3, (byte)'a', (byte)'b', (byte)'c', 0, 2, (byte)'x', (byte)'y']);

        Assert.Equal(["abc", "", "xy"], Assert.IsType<TxtRecord>(Assert.Single(DnsMessageReader.Read(bytes).Answers)).Texts);
    }

    public static TheoryData<string, byte[], string> Malformed() => new()
    {
        { "empty", [], "the message ends where a 16-bit field should be" },
        { "header cut short", WwwAnswer[..7], "the message ends where a 16-bit field should be" },
        { "answer cut inside RDLENGTH", WwwAnswer[..45], "the message ends where a 16-bit field should be" },
        { "counts larger than the message", [0, 1, 0x80, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0], "the header counts more questions and records than the message can hold" },
        { "a pointer to itself", Question([0xc0, 12]), "a compression pointer to 12 does not point backwards (a loop?)" },
        { "two pointers in a loop", Question([1, (byte)'a', 0xc0, 16, 0xc0, 12]), "a compression pointer to 16 does not point backwards (a loop?)" },
        { "a pointer past the end", Question([0xc0, 0xff]), "a compression pointer to 255 does not point backwards (a loop?)" },
        { "a label past the end", Question([10, (byte)'a']), "a label runs past the end of the message" },
        { "a name over 255 octets", Question([.. Enumerable.Repeat<byte[]>([63, .. new byte[63]], 5).SelectMany(l => l), 0]), "a name is longer than 255 octets" },
        { "an extended label type", Question([0x40, 1]), "label type 0x40 is not supported" },
        { "an A record of 5 bytes", Answer(type: 1, rdata: [1, 2, 3, 4, 5]), "A RDLENGTH is 5" },
        { "RDLENGTH past the end", Answer(type: 1, rdata: [1, 2, 3, 4])[..^2], "RDLENGTH 4 runs past the end of the message" },
        { "a CNAME shorter than RDLENGTH says", Answer(type: 5, rdata: [1, (byte)'x', 0, 9, 9]), "CNAME data ends at" },
        { "a TXT string past its record", Answer(type: 16, rdata: [5, (byte)'a']), "a TXT string runs past its record" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_messages_are_a_typed_error_with_offset_and_bytes(string what, byte[] bytes, string message)
    {
        var e = Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(bytes));

        Assert.True(e.Message.StartsWith(message, StringComparison.Ordinal), $"{what}: {e.Message}");
        Assert.Equal(bytes, e.Bytes);
        Assert.InRange(e.Offset, 0, bytes.Length);
    }

    [Fact]
    public void Labels_with_dots_or_control_characters_are_escaped_not_trusted()
    {
        var name = Assert.Single(DnsMessageReader.Read(Question([3, (byte)'a', (byte)'.', 10, 0])).Questions).Name;

        Assert.Equal("a\\.\\010", name.ToString());
    }

    [Fact]
    public void A_query_written_and_read_back_is_the_same_question_with_edns()
    {
        var bytes = DnsQueryWriter.Write(0x1234, new DnsQuestion("Sns.US-East-1.amazonaws.com", RecordType.AAAA));

        var message = DnsMessageReader.Read(bytes);

        Assert.Equal(0x1234, message.Header.Id);
        Assert.Equal(DnsHeader.RecursionDesiredFlag, message.Header.Flags);
        Assert.Equal(new DnsQuestion("Sns.US-East-1.amazonaws.com", RecordType.AAAA), message.Questions.Single());
        Assert.Equal(1232, message.Opt!.UdpPayloadSize);
    }

    [Theory]
    [InlineData("a..example")]
    [InlineData("bücher.example")]
    public void Names_dns_cannot_carry_are_refused_before_sending(string name) =>
        Assert.Throws<ArgumentException>(() => DnsQueryWriter.Write(1, new DnsQuestion(name, RecordType.A)));

    /// <summary>A response whose question name is the given raw bytes.</summary>
    private static byte[] Question(byte[] name) => [0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, .. name, 0, 1, 0, 1];

    /// <summary>A response to "x A" with one answer record of the given type and RDATA.</summary>
    internal static byte[] Answer(ushort type, byte[] rdata) =>
    [
        0, 1, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0,
        1, (byte)'x', 0, 0, 1, 0, 1,                      // question: x A IN
        0xc0, 12, (byte)(type >> 8), (byte)type, 0, 1,    // answer owner x, TYPE, IN
        0, 0, 0, 60, (byte)(rdata.Length >> 8), (byte)rdata.Length, .. rdata,
    ];
}
