using System.Text.RegularExpressions;

namespace Reconciler.Policies.Model;

/// <summary>
/// A dependency's <c>owner:</c> when it is a GitHub handle: <c>@login</c> (asked to review, assigned its issues) or
/// <c>@org/team</c> (asked to review as a team, mentioned in its issues). Any other owner is a name for people to read.
/// </summary>
public sealed partial record OwnerHandle(string Login, string? Team)
{
    public bool IsTeam => Team is not null;

    /// <summary>As GitHub writes it in a mention.</summary>
    public override string ToString() => IsTeam ? $"@{Login}/{Team}" : $"@{Login}";

    /// <summary>The handle an owner names, or null when it names none (no '@').</summary>
    public static OwnerHandle? Of(string? owner) =>
        owner is not null && Pattern().Match(owner) is { Success: true } m ? new OwnerHandle(m.Groups["login"].Value, m.Groups["team"].Success ? m.Groups["team"].Value : null) : null;

    /// <summary>Why an owner that starts with '@' is not a handle GitHub could have, or null when it is fine.</summary>
    public static string? Problem(string? owner) =>
        owner is null || !owner.StartsWith('@') || Of(owner) is not null
            ? null
            : $"owner '{owner}' is not a GitHub handle: write @login (letters, digits and single hyphens, at most 39) or @org/team-slug";

    // GitHub's rules: a login is 1-39 letters, digits or single inner hyphens; a team slug is lower-case letters, digits, '-', '_' and '.'.
    [GeneratedRegex(@"^@(?<login>(?=[A-Za-z0-9-]{1,39}(?:/|$))[A-Za-z0-9](?:-?[A-Za-z0-9])*)(?:/(?<team>[a-z0-9][a-z0-9._-]{0,99}))?$")]
    private static partial Regex Pattern();
}
