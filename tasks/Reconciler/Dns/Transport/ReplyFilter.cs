using Reconciler.Dns.Protocol;
using Reconciler.Dns.Wire;

namespace Reconciler.Dns.Transport;

/// <summary>The one rule both transports apply before trusting a reply: it answers exactly our query.</summary>
internal static class ReplyFilter
{
    /// <summary>
    /// The reply, decoded once, when its id, QR bit and question are ours; null for anything else. A reply whose
    /// question is ours but whose records do not decode is still ours: the server sent something broken.
    /// </summary>
    public static DnsReply? Match(ReadOnlySpan<byte> bytes, ushort id, DnsQuestion question)
    {
        try
        {
            var message = DnsMessageReader.Read(bytes);
            return Answers(message.Header, message.Questions.Count > 0 ? message.Questions[0] : null, id, question)
                ? new DnsReply(bytes.ToArray(), message, null)
                : null;
        }
        catch (DnsFormatException error)
        {
            try
            {
                var (header, replyQuestion) = DnsMessageReader.ReadHeaderAndQuestion(bytes);
                return Answers(header, replyQuestion, id, question) ? new DnsReply(bytes.ToArray(), null, error) : null;
            }
            catch (DnsFormatException)
            {
                return null;
            }
        }
    }

    private static bool Answers(DnsHeader header, DnsQuestion? replyQuestion, ushort id, DnsQuestion question) =>
        header.Id == id && header.IsResponse && replyQuestion is not null && replyQuestion.Matches(question);
}
