namespace Reconciler.Diagnostics;

/// <summary>
/// The one exception type the library throws on purpose. It carries the exit code the run must end with,
/// so the Cake script never has to guess from an exception's type or text.
/// </summary>
public class ReconcilerException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public static ReconcilerException InvalidArgument(string name, string message) =>
        new(ExitCodes.InvalidInput, $"argument --{name}: {message}");
}

/// <summary>Thrown when policies do not validate; the errors have already been logged one per line.</summary>
public sealed class InvalidPolicyException(IReadOnlyList<PolicyError> errors)
    : ReconcilerException(ExitCodes.InvalidInput, $"{errors.Count} policy error{(errors.Count == 1 ? "" : "s")}")
{
    public IReadOnlyList<PolicyError> Errors { get; } = errors;
}
