using Reconciler.Policies.Model;

namespace Reconciler.Publishing;

/// <summary>
/// One repository on a forge (GitHub today), as the publisher uses it: read what is the bot's, make commits and
/// branches, open and change pull requests and issues. Everything here is in the forge's neutral terms; how a forge
/// speaks its API, what it pages and what it refuses stays in its own folder (README "Another forge").
/// Only <see cref="PublishDecisions"/> decides; an implementation carries out one call with one meaning and never
/// adds a request the caller did not make, so that the number of requests a run makes is the publisher's to count.
/// </summary>
public interface IForge
{
    /// <summary>The forge's name in what the bot writes ("GitHub would not route it there").</summary>
    string Name { get; }

    /// <summary>Requests made so far: reads and writes.</summary>
    (int Reads, int Writes) Calls { get; }

    /// <summary>
    /// The bot's own pull requests, branches and issues, the dashboard and the default branch. Only what
    /// <paramref name="login"/> made is the bot's (README "Publishing (Reconcile)"): never what an item's text says.
    /// </summary>
    /// <param name="planned">For each planned branch, the commit the bot would make there: a branch head is the bot's only when it is that commit.</param>
    /// <param name="stateBranch">The branch the drift memory lives on: not one of the bot's pull request branches.</param>
    Task<ForgeState> ReadStateAsync(string login, IReadOnlyDictionary<string, Lazy<PlannedCommit>> planned, string stateBranch, CancellationToken cancellationToken);

    /// <summary>A branch's head and the blob of every file in it; the run fails (exit 3) when there is no such branch.</summary>
    Task<BranchFiles> ReadBranchAsync(string branch, CancellationToken cancellationToken);

    /// <summary>A branch's head and the text of one file at the top of it (null when it has none); null when there is no such branch.</summary>
    Task<BranchFile?> ReadFileAsync(string branch, string path, CancellationToken cancellationToken);

    /// <summary>Where people read a line of a file at a commit.</summary>
    string FileLink(string commit, string path, int line);

    /// <summary>One commit of these files (repository path → content) on top of <paramref name="onto"/>, every other file as it is there; null for the first commit of a new history. Moves no branch.</summary>
    Task<ForgeCommit> CommitAsync(ForgeCommit? onto, IReadOnlyDictionary<string, string> files, string message, CancellationToken cancellationToken);

    Task CreateBranchAsync(string branch, string commit, CancellationToken cancellationToken);

    /// <summary>Moves the branch to the commit, whatever it held: the bot rebuilds its branches on the current base.</summary>
    Task MoveBranchAsync(string branch, string commit, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the branch at <paramref name="commit"/> (when <paramref name="from"/> is null) or moves it forward to it.
    /// Throws <see cref="ForgeRefusedException"/> when another writer got there first: the branch exists, or the move is not a fast forward.
    /// </summary>
    Task AdvanceBranchAsync(string branch, string? from, string commit, CancellationToken cancellationToken);

    Task DeleteBranchAsync(string branch, CancellationToken cancellationToken);

    /// <summary>A pull request from <paramref name="branch"/> into <paramref name="into"/>.</summary>
    Task<ForgePullRequest> OpenPullRequestAsync(string branch, string into, string title, string body, CancellationToken cancellationToken);

    /// <param name="title">Null to leave the title as it is.</param>
    Task UpdatePullRequestAsync(int number, string? title, string body, CancellationToken cancellationToken);

    Task ClosePullRequestAsync(int number, CancellationToken cancellationToken);

    Task AddPullRequestLabelsAsync(int number, IReadOnlyList<string> labels, CancellationToken cancellationToken);

    Task CommentOnPullRequestAsync(int number, string body, CancellationToken cancellationToken);

    /// <summary>The comments on a pull request, oldest first, each with who wrote it.</summary>
    Task<IReadOnlyList<ForgeComment>> ListPullRequestCommentsAsync(int number, CancellationToken cancellationToken);

    /// <summary>Comments on a pull request, and says where the comment is.</summary>
    Task<ForgeComment> AddPullRequestCommentAsync(int number, string body, CancellationToken cancellationToken);

    /// <summary>Replaces the text of a comment (one of the bot's own: the caller checks).</summary>
    Task UpdateCommentAsync(ForgeComment comment, string body, CancellationToken cancellationToken);

    /// <summary>Asks a person or a team to review; a forge that will not route it there says so in its answer, not by failing the run.</summary>
    Task<RoutingAnswer> RequestReviewAsync(int number, OwnerHandle owner, CancellationToken cancellationToken);

    Task<ForgeIssue> OpenIssueAsync(string title, string body, IReadOnlyList<string> labels, CancellationToken cancellationToken);

    Task UpdateIssueAsync(int number, IssueEdit edit, CancellationToken cancellationToken);

    /// <param name="reason"><c>completed</c> or <c>not_planned</c>, as <see cref="CloseIssue.StateReason"/> says.</param>
    Task CloseIssueAsync(int number, string body, string reason, CancellationToken cancellationToken);

    Task CommentOnIssueAsync(int number, string body, CancellationToken cancellationToken);

    /// <summary>Assigns a person (a login owner); a forge that will not, or that leaves them out, says so in its answer.</summary>
    Task<RoutingAnswer> AssignAsync(int number, OwnerHandle assignee, CancellationToken cancellationToken);
}

/// <summary>A commit the bot builds on: its id, and its tree (git's name for its files), which a commit on top of it starts from.</summary>
public sealed record ForgeCommit(string Sha, string Tree);

/// <summary>A branch's head, and the blob id (<see cref="GitBlobs.Sha"/>) of each file in it by repository path.</summary>
public sealed record BranchFiles(ForgeCommit Head, IReadOnlyDictionary<string, string> Blobs);

/// <summary>A branch's head, and the text of one file in it (null when it has none).</summary>
public sealed record BranchFile(ForgeCommit Head, string? Text);

/// <summary>A comment on a pull request or issue: who wrote it, what it says, where people read it.</summary>
public sealed record ForgeComment(long Id, string Author, string? Body, string Url);

/// <summary>A change to an issue: what is null stays as it is.</summary>
/// <param name="Open">Reopen it (or keep it open).</param>
public sealed record IssueEdit(string? Title = null, string? Body = null, bool Open = false, IReadOnlyList<string>? Labels = null);

/// <summary>What became of asking the forge to route an item to someone: done, or refused, with why in words for the run's log.</summary>
public sealed record RoutingAnswer(string? Refusal)
{
    public static RoutingAnswer Done { get; } = new((string?)null);

    public static RoutingAnswer Refused(string why) => new(why);
}

/// <summary>The forge understood a write and refused it (another writer got there first); the run fails (exit 3) unless the caller acts on it.</summary>
public sealed class ForgeRefusedException(string message, Exception inner)
    : Diagnostics.ReconcilerException(Diagnostics.ExitCodes.RunFailed, message, inner);
