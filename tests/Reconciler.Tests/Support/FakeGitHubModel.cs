namespace Reconciler.Tests.Support;

// What the fake GitHub holds and records.

internal sealed record FakeAnswer(int Status, string Message, IReadOnlyList<(string Name, string Value)> Headers);

internal sealed record FakeRequest(string Method, string Path, string Query, string Body, string Authorization, string ApiVersion, string Accept);

/// <param name="Author">The login GitHub links the author to; <paramref name="Committer"/> the committer's (the author's when null).</param>
internal sealed record FakeCommit(string Sha, string Tree, IReadOnlyList<string> Parents, string Message, string Author, string? Committer = null)
{
    public string CommittedBy => Committer ?? Author;
}

internal sealed class FakeComment(long id, string body, string author)
{
    public long Id { get; } = id;
    public string Body { get; set; } = body;
    /// <summary>Who wrote it (GitHub's <c>user.login</c>).</summary>
    public string Author { get; } = author;
}

/// <summary>An issue or a pull request (they share numbers, as on GitHub).</summary>
internal sealed class FakeItem(int number, string title, string? body, bool isPullRequest)
{
    public int Number { get; } = number;
    public string Title { get; set; } = title;
    public string? Body { get; set; } = body;
    public bool IsPullRequest { get; } = isPullRequest;
    public string State { get; set; } = "open";
    public string? StateReason { get; set; }
    public List<string> Labels { get; set; } = [];
    public List<FakeComment> Comments { get; } = [];
    /// <summary>Who opened it (GitHub's <c>user.login</c>).</summary>
    public required string Author { get; init; }
    public string? HeadRef { get; init; }
    /// <summary>The repository its head branch is in (<c>head.repo.full_name</c>); null for this one. A fork's head commit is in <see cref="LastHead"/>.</summary>
    public string? HeadRepository { get; init; }
    public string? BaseRef { get; init; }
    public string? LastHead { get; set; }
    public DateTimeOffset? MergedAt { get; set; }
    public List<string> RequestedReviewers { get; } = [];
    public List<string> RequestedTeams { get; } = [];
    public List<string> Assignees { get; } = [];
}
