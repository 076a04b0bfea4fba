namespace Reconciler.Policies.Model;

/// <summary>How a dependency's addresses are known (README "Policies", <c>track</c>).</summary>
public enum TrackMode
{
    /// <summary>The allowlist must admit every address DNS gives for the hosts.</summary>
    Dns,
    /// <summary>The allowlist must admit the provider's published prefixes for the service and region.</summary>
    Provider,
    /// <summary>Admitted by name at a proxy only; pinning its addresses is itself a finding.</summary>
    Domain,
    /// <summary>A partner gave fixed addresses; DNS answers outside them are drift.</summary>
    Static,
}
