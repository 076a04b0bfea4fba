using System.Net;
using Reconciler.Dns.Protocol;
using Reconciler.Dns.Records;

namespace Reconciler.Dns.Wire;

/// <summary>Decodes a whole message. Whatever the input, it returns a message or throws <see cref="DnsFormatException"/>.</summary>
public static class DnsMessageReader
{
    private const int MinQuestionSize = 5;   // root name + type + class
    private const int MinRecordSize = 11;    // root name + type + class + ttl + rdlength

    public static DnsMessage Read(ReadOnlySpan<byte> message)
    {
        var reader = new DnsWireReader(message);
        var header = ReadHeader(ref reader);
        if (header.QuestionCount * MinQuestionSize > reader.Remaining
            || (header.AnswerCount + header.AuthorityCount + header.AdditionalCount) * MinRecordSize > reader.Remaining)
            throw reader.Fail("the header counts more questions and records than the message can hold");

        var questions = header.QuestionCount == 0 ? [] : new DnsQuestion[header.QuestionCount];
        for (var i = 0; i < questions.Length; i++)
            questions[i] = new DnsQuestion(reader.ReadName(), (RecordType)reader.ReadUInt16(), reader.ReadUInt16());
        var answers = ReadRecords(ref reader, header.AnswerCount);
        var authorities = ReadRecords(ref reader, header.AuthorityCount);
        var additionals = ReadRecords(ref reader, header.AdditionalCount);
        return new DnsMessage(header, questions, answers, authorities, additionals);
    }

    /// <summary>Only the header and the first question: enough to match a reply to its query before decoding the rest.</summary>
    public static (DnsHeader Header, DnsQuestion? Question) ReadHeaderAndQuestion(ReadOnlySpan<byte> message)
    {
        var reader = new DnsWireReader(message);
        var header = ReadHeader(ref reader);
        if (header.QuestionCount == 0)
            return (header, null);
        return (header, new DnsQuestion(reader.ReadName(), (RecordType)reader.ReadUInt16(), reader.ReadUInt16()));
    }

    private static DnsHeader ReadHeader(ref DnsWireReader reader) =>
        new(reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadUInt16(), reader.ReadUInt16());

    private static DnsRecord[] ReadRecords(ref DnsWireReader reader, int count)
    {
        var records = count == 0 ? [] : new DnsRecord[count];
        for (var i = 0; i < records.Length; i++)
            records[i] = ReadRecord(ref reader);
        return records;
    }

    private static DnsRecord ReadRecord(ref DnsWireReader reader)
    {
        var name = reader.ReadName();
        var type = reader.ReadUInt16();
        var @class = reader.ReadUInt16();
        var field = reader.ReadUInt32();
        // RFC 2181 §8: a TTL with the top bit set is read as zero (OPT's field holds flags, not a TTL).
        var ttl = type == (ushort)RecordType.OPT ? field : TtlOf(field);
        var length = reader.ReadUInt16();
        var start = reader.Offset;
        if (length > reader.Remaining)
            throw reader.Fail($"RDLENGTH {length} runs past the end of the message");
        var end = start + length;

        DnsRecord record = (RecordType)type switch
        {
            RecordType.A when length == 4 => new AddressRecord(name, type, @class, ttl, new IPAddress(reader.ReadBytes(4))),
            RecordType.AAAA when length == 16 => new AddressRecord(name, type, @class, ttl, new IPAddress(reader.ReadBytes(16))),
            RecordType.A or RecordType.AAAA => throw reader.Fail($"{(RecordType)type} RDLENGTH is {length}"),
            RecordType.CNAME or RecordType.NS => new NameRecord(name, type, @class, ttl, reader.ReadName()),
            RecordType.SOA => new SoaRecord(name, @class, ttl, reader.ReadName(), reader.ReadName(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32()),
            RecordType.TXT => new TxtRecord(name, @class, ttl, ReadTexts(ref reader, end)),
            RecordType.OPT => new OptRecord(@class, (byte)(ttl >> 24), (byte)(ttl >> 16), (ushort)ttl, reader.ReadBytes(length).ToArray()),
            _ => new UnknownRecord(name, type, @class, ttl, reader.ReadBytes(length).ToArray()),
        };

        // The record's data must end exactly where RDLENGTH says, or everything after it is misread.
        if (reader.Offset != end)
            throw reader.Fail($"{(RecordType)type} data ends at {reader.Offset}, but RDLENGTH says {end}", start);
        return record;
    }

    /// <summary>RFC 2181 §8: a TTL is 0 to 2³¹ − 1; a value with the top bit set is taken as zero.</summary>
    public static uint TtlOf(uint field) => field > int.MaxValue ? 0 : field;

    private static List<string> ReadTexts(ref DnsWireReader reader, int end)
    {
        var texts = new List<string>();
        while (reader.Offset < end)
        {
            var length = reader.ReadByte();
            if (reader.Offset + length > end)
                throw reader.Fail("a TXT string runs past its record");
            texts.Add(System.Text.Encoding.UTF8.GetString(reader.ReadBytes(length)));
        }
        return texts;
    }
}
