using Reconciler.Publishing;
using Xunit.Abstractions;

namespace Reconciler.Tests.Publishing;

/// <summary>
/// README "Publishing (Reconcile)", the dashboard: a change a person closed without merging is listed with a checkbox (and a hidden marker naming it,
/// so the tick is read back exactly); ticking it makes the next run propose the change again and untick it. What a
/// person writes on the dashboard around the bot's part stays.
/// </summary>
public sealed class DashboardSteeringTests(ITestOutputHelper output)
{
    private const string Box = "- [ ] <!-- reconciler:retry branch=reconciler/app-egress/ledger change=";

    [Fact]
    public async Task A_ticked_box_proposes_the_closed_change_again_unticks_it_and_keeps_a_persons_notes()
    {
        await using var world = await PublishingWorld.CreateAsync();
        await world.RunAsync(PublishingWorld.Start);
        var first = Assert.Single(world.GitHub.PullRequests);
        world.GitHub.CloseAsPerson(first.Number);

        await world.RunAsync(PublishingWorld.Start.AddHours(1));
        var dashboard = Assert.Single(world.GitHub.Issues, i => i.Title == Dashboard.Title);
        Assert.Contains(Box, dashboard.Body!, StringComparison.Ordinal);
        Assert.Single(world.GitHub.PullRequests); // declined: not proposed again on its own
        var quiet = world.GitHub.Writes;
        await world.RunAsync(PublishingWorld.Start.AddHours(2));
        Assert.Equal(quiet, world.GitHub.Writes);

        // A person ticks the box and writes notes above and below the bot's part (the web editor sends CRLF).
        world.GitHub.EditBodyAsPerson(dashboard.Number, body => "Notes from netops: ledger moves in January.\n\n" + body.Replace("- [ ] <!-- reconciler:retry", "- [x] <!-- reconciler:retry", StringComparison.Ordinal) + "\nSee the runbook.\n");
        var ticked = dashboard.Body!;
        output.WriteLine("---- dashboard as the person left it ----\n" + ticked.ReplaceLineEndings("\n"));

        await world.RunAsync(PublishingWorld.Start.AddHours(3));
        output.WriteLine("---- dashboard after the next run ----\n" + dashboard.Body);
        var again = Assert.Single(world.GitHub.PullRequests, p => p.State == "open");
        Assert.NotEqual(first.Number, again.Number);
        Assert.Equal(first.HeadRef, again.HeadRef);
        Assert.DoesNotContain("[x]", dashboard.Body!, StringComparison.Ordinal);
        Assert.DoesNotContain(Box, dashboard.Body!, StringComparison.Ordinal);
        Assert.Contains($"#{again.Number} ", dashboard.Body!, StringComparison.Ordinal);
        Assert.StartsWith("Notes from netops: ledger moves in January.\n\n", dashboard.Body!, StringComparison.Ordinal);
        Assert.EndsWith("\nSee the runbook.\n", dashboard.Body!, StringComparison.Ordinal);

        var writes = world.GitHub.Writes;
        await world.RunAsync(PublishingWorld.Start.AddHours(4));
        Assert.Equal(writes, world.GitHub.Writes);
        Assert.Empty(world.GitHub.Violations);
    }

    [Fact]
    public void A_tick_is_read_back_only_from_a_line_with_the_bots_marker()
    {
        var body = "- [x] <!-- reconciler:retry branch=reconciler/a/b change=0123456789ab --> `reconciler/a/b`\n"
            + "- [X] <!-- reconciler:retry branch=reconciler/c/d change=abcdef012345 -->\n"
            + "- [ ] <!-- reconciler:retry branch=reconciler/e/f change=aaaaaaaaaaaa -->\n"
            + "- [x] reconciler/g/h, ticked by hand without a marker\n"
            + "> - [x] <!-- reconciler:retry branch=reconciler/i/j change=bbbbbbbbbbbb --> quoted\n";
        Assert.Equal(
            [("reconciler/a/b", "0123456789ab"), ("reconciler/c/d", "abcdef012345")],
            Dashboard.TickedRetries(body).Order());
    }
}
