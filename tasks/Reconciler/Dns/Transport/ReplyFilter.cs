using Reconciler.Dns.Protocol;
using Reconciler.Dns.Wire;

namespace Reconciler.Dns.Transport;

/// <summary>The one rule both transports apply before trusting a reply: it answers exactly our query.</summary>
internal static class ReplyFilter
{
    public static bool Answers(ReadOnlySpan<byte> reply, ushort id, DnsQuestion question)
    {
        try
        {
            var (header, replyQuestion) = DnsMessageReader.ReadHeaderAndQuestion(reply);
            return header.Id == id && header.IsResponse && replyQuestion is not null && replyQuestion.Matches(question);
        }
        catch (DnsFormatException)
        {
            return false;
        }
    }
}
