using Reconciler.Policies.Loading;
using Reconciler.Policies.Model;

namespace Reconciler.Tests.Policies;

/// <summary><c>owner:</c> is a free name or a GitHub handle; a handle GitHub could not have is an error where it is written.</summary>
public sealed class OwnerHandleTests
{
    private static PolicyLoadResult Parse(string owner) =>
        PolicyParser.Parse([new PolicySource("p.yaml", $"dependencies:\n  - name: api\n    owner: {owner}\n    hosts: [api.example.test]\n")]);

    [Theory]
    [InlineData("revalidation-team", null, null)]
    [InlineData("Payments Team (on call)", null, null)]
    [InlineData("\"@octocat\"", "octocat", null)]
    [InlineData("'@acme/netops'", "acme", "netops")]
    [InlineData("\"@a-b-c/team_1.x\"", "a-b-c", "team_1.x")]
    public void A_free_name_routes_nothing_and_a_handle_routes_to_its_login_or_team(string owner, string? login, string? team)
    {
        var result = Parse(owner);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var handle = OwnerHandle.Of(result.Policies!.Dependencies[0].Owner);
        Assert.Equal(login, handle?.Login);
        Assert.Equal(team, handle?.Team);
    }

    [Theory]
    [InlineData("\"@\"")]
    [InlineData("\"@-octocat\"")]
    [InlineData("\"@octo--cat\"")]
    [InlineData("\"@octo_cat\"")]
    [InlineData("\"@acme/\"")]
    [InlineData("\"@acme/Net Ops\"")]
    [InlineData("\"@acme/netops/extra\"")]
    [InlineData("\"@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"")] // 40 characters: one too many
    public void A_handle_github_could_not_have_is_an_error_at_its_place(string owner)
    {
        var result = Parse(owner);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("p.yaml:3:12: owner '@", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("is not a GitHub handle", error.Message, StringComparison.Ordinal);
    }
}
