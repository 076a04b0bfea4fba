namespace Reconciler.Policies.Model;

/// <summary>
/// Where the additions for one dependency land in an allowlist: the first rule that is not pinned (pinned rules are a
/// human's) and has a destinations list to add to. Decided here alone, because the planner writes there and the
/// removal threshold must know which rule keeps something (README "How Plan decides").
/// </summary>
public static class AdditionReceiver
{
    /// <param name="rules">The dependency's rules in one allowlist, in policy order; none gives null.</param>
    public static AllowlistRule? Of(IReadOnlyList<AllowlistRule> rules) =>
        rules.FirstOrDefault(r => !r.Pinned && r.DestinationsList is not null) ?? rules.FirstOrDefault(r => !r.Pinned) ?? (rules.Count == 0 ? null : rules[0]);
}
