namespace Reconciler.Dns.Resolution;

/// <summary>How a query ended. Each is distinct, because each means something different for an allowlist.</summary>
public enum DnsOutcome
{
    /// <summary>NOERROR with records of the asked type (possibly behind CNAMEs).</summary>
    Answer,
    /// <summary>NOERROR, the name exists, but has no record of that type.</summary>
    NoData,
    /// <summary>The name does not exist.</summary>
    NxDomain,
    ServFail,
    Refused,
    /// <summary>Another RCODE (FORMERR, NOTIMP…).</summary>
    OtherError,
    /// <summary>No reply that answers our query within the timeout, after every attempt.</summary>
    Timeout,
    /// <summary>A reply to our query that does not decode.</summary>
    Malformed,
}
