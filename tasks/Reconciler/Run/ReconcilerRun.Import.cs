using Reconciler.Diagnostics;
using Reconciler.Files;
using Reconciler.Import;
using Reconciler.Policies.Loading;
using Reconciler.Providers;

namespace Reconciler.Run;

/// <summary>The Import target (README "Import"): drafts policy files from an estate's dumps into <c>--policies</c>.</summary>
public sealed partial class ReconcilerRun
{
    /// <summary>
    /// Drafts one policy file per dump that admits something. Nothing is written when a line cannot be read
    /// (exit 2, every such line as <c>file:line:col</c>), when a draft would replace a file (exit 2), or when the
    /// drafts with the folder's policies would not validate (exit 3: Import's own fault).
    /// </summary>
    public IReadOnlyList<string> Import()
    {
        if (options.From.Count == 0)
            throw ReconcilerException.InvalidArgument("from", "Import needs the dumps to draft from: --from=FILE[,FILE…]");
        var sources = options.From.Select(path => new ImportSource(path, File.ReadAllText(path))).ToList();
        var existing = ExistingPolicies();
        var taken = existing is null ? [] : existing.Dependencies.Select(d => d.Name).Concat(existing.Allowlists.Select(a => a.Name));
        var result = Importer.Draft(sources, Providers(), taken);
        foreach (var problem in result.Problems)
            log.Error(problem.ToString());
        if (result.Problems.Count > 0)
            throw new ReconcilerException(ExitCodes.InvalidInput, $"{result.Problems.Count} line{(result.Problems.Count == 1 ? "" : "s")} could not be read; nothing was written");

        var drafts = result.Drafts.Where(d => !d.IsEmpty).ToList();
        foreach (var draft in result.Drafts.Where(d => d.IsEmpty))
            log.Warning($"{draft.Source}: admits no destination a policy can name; no file drafted ({draft.Notes.Count} notes below)");
        var texts = drafts.Select(d => (Draft: d, Path: Path.Combine(options.Policies, d.FileName), Text: DraftYaml.Write(d))).ToList();
        var clashes = texts.Where(t => File.Exists(t.Path) || Directory.Exists(t.Path)).Select(t => t.Path).ToList();
        if (clashes.Count > 0)
            throw ReconcilerException.InvalidArgument("policies", $"Import never replaces a file, and {string.Join(", ", clashes)} exist{(clashes.Count == 1 ? "s" : "")}; move {(clashes.Count == 1 ? "it" : "them")} away or import into another folder");

        var check = PolicyParser.Parse([.. existing?.Sources.Select(s => new PolicySource(s.Key, s.Value)) ?? [], .. texts.Select(t => new PolicySource(t.Path, t.Text))]);
        if (texts.Count > 0 && !check.IsValid)
        {
            foreach (var error in check.Errors)
                log.Error(error.ToString());
            throw new ReconcilerException(ExitCodes.RunFailed, "the drafts do not validate (Import's own fault: please report it); nothing was written");
        }
        var written = new List<string>();
        foreach (var (draft, path, text) in texts)
        {
            // A file that appeared since the check is left alone: CreateNew fails rather than replace it.
            Directory.CreateDirectory(options.Policies);
            using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
                writer.Write(text);
            written.Add(path);
            log.Information($"{path}: {draft.Dependencies.Count} dependencies, {draft.Allowlists.Sum(a => a.Rules.Count)} rules from {draft.Source}");
        }
        foreach (var note in result.Notes.Concat(result.Drafts.SelectMany(d => d.Notes)))
            log.Information("note: " + note);
        Exit = ExitDecision.Imported(written, options.Policies);
        return written;
    }

    /// <summary>The policies already in the folder, whose names the drafts must not take; null when there are none.</summary>
    private Policies.Model.PolicySet? ExistingPolicies()
    {
        if (!Directory.Exists(options.Policies) || PolicyFileGate.Find(options.Policies).Count == 0)
            return null;
        var loaded = PolicyDirectory.Load(options.Policies);
        if (loaded.IsValid)
            return loaded.Policies;
        foreach (var error in loaded.Errors)
            log.Error(error.ToString());
        throw ReconcilerException.InvalidArgument("policies", $"'{options.Policies}' holds policies that do not validate; fix them before importing next to them");
    }
}
