using System.Diagnostics;
using Reconciler.Policies.Loading;

namespace Reconciler.Tests.Policies;

/// <summary>
/// The reading gate against a real file system: FIFOs, devices, links out of --policies and round in loops,
/// files too big for what stat says, bytes that are not UTF-8. Each is one file:line:col error naming the file,
/// and nothing a refused file holds is printed.
/// </summary>
public sealed class PolicyFileGateTests : IDisposable
{
    private const string Valid = "dependencies:\n  - name: partner\n    hosts: [api.partner.example]\n";
    private readonly string _scratch = Directory.CreateTempSubdirectory("reconciler-gate-").FullName;
    private readonly string _policies;

    public PolicyFileGateTests()
    {
        _policies = Path.Combine(_scratch, "policies");
        Directory.CreateDirectory(_policies);
        File.WriteAllText(Path.Combine(_policies, "ok.yaml"), Valid);
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private List<string> Errors()
    {
        var watch = Stopwatch.StartNew();
        var load = Task.Run(() => PolicyDirectory.Load(_policies, displayRoot: _policies));
        Assert.True(load.Wait(TimeSpan.FromSeconds(30)), "loading the policies hung");
        return [.. load.Result.Errors.Select(e => e.ToString())];
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(command, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public void A_fifo_is_refused_without_opening_it()
    {
        Run("mkfifo", Path.Combine(_policies, "egress.yaml"));

        Assert.Equal(["egress.yaml:1:1: not read: it is a FIFO (named pipe), not a regular file"], Errors());
    }

    [Fact]
    public void A_device_inside_the_folder_is_refused_and_a_link_to_one_outside_it_too()
    {
        File.CreateSymbolicLink(Path.Combine(_policies, "zero.yaml"), "/dev/zero");
        Run("mknod", Path.Combine(_policies, "null.yaml"), "c", "1", "3");

        Assert.Equal(
            ["null.yaml:1:1: not read: it is a character device, not a regular file",
             "zero.yaml:1:1: not read: it is a link that leads outside --policies; only files inside --policies are read"],
            Errors());
    }

    [Fact]
    public void A_link_out_of_the_folder_is_refused_and_what_it_leads_to_is_never_printed()
    {
        var secret = Path.Combine(_scratch, "secret.txt");
        File.WriteAllText(secret, "root-password-hash: $6$SECRET\n");
        File.CreateSymbolicLink(Path.Combine(_policies, "shadow.yaml"), secret);
        Directory.CreateDirectory(Path.Combine(_policies, "sub"));
        File.CreateSymbolicLink(Path.Combine(_policies, "sub", "sneaky.yaml"), "../../secret.txt");
        // A linked folder is not entered at all: it could lead anywhere, or back here.
        Directory.CreateSymbolicLink(Path.Combine(_policies, "etc"), _scratch);

        var errors = Errors();

        Assert.Equal(
            ["shadow.yaml:1:1: not read: it is a link that leads outside --policies; only files inside --policies are read",
             "sub/sneaky.yaml:1:1: not read: it is a link that leads outside --policies; only files inside --policies are read"],
            errors);
        Assert.DoesNotContain(errors, e => e.Contains("SECRET", StringComparison.Ordinal) || e.Contains("root-password", StringComparison.Ordinal));
    }

    [Fact]
    public void A_link_that_stays_inside_the_folder_is_read()
    {
        Directory.CreateDirectory(Path.Combine(_policies, "common"));
        File.Move(Path.Combine(_policies, "ok.yaml"), Path.Combine(_policies, "common", "real.txt"));
        File.CreateSymbolicLink(Path.Combine(_policies, "ok.yml"), "common/../common/real.txt");

        var result = PolicyDirectory.Load(_policies, displayRoot: _policies);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("partner", Assert.Single(result.Policies!.Dependencies).Name);
    }

    [Fact]
    public void A_link_loop_and_a_dangling_link_name_their_path()
    {
        File.CreateSymbolicLink(Path.Combine(_policies, "a.yaml"), "b.yaml");
        File.CreateSymbolicLink(Path.Combine(_policies, "b.yaml"), "a.yaml");
        File.CreateSymbolicLink(Path.Combine(_policies, "gone.yaml"), "nothing-here.yaml");

        Assert.Equal(
            ["a.yaml:1:1: not read: its symbolic links go round in a loop (or more than 40 in a row)",
             "b.yaml:1:1: not read: its symbolic links go round in a loop (or more than 40 in a row)",
             "gone.yaml:1:1: not read: it is a link to nothing (the file it names does not exist)"],
            Errors());
    }

    [Fact]
    public void The_byte_limit_counts_what_is_read()
    {
        File.WriteAllText(Path.Combine(_policies, "big.yaml"), new string('#', (int)PolicyFileGate.MaxFileBytes + 1));
        File.WriteAllText(Path.Combine(_policies, "just-fits.yaml"), "#" + new string(' ', (int)PolicyFileGate.MaxFileBytes - 2) + "\n");

        Assert.Equal(
            ["big.yaml:1:1: the file is larger than 1,048,576 bytes, the limit for a policy file (split it)",
             "just-fits.yaml:1:1: the policy file is empty; delete it or declare dependencies, identities or allowlists"],
            Errors());
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a', (byte)':', (byte)' ', 0xFF, (byte)'\n' }, "x.yaml:1:4: byte 0xFF is not UTF-8; policy files are UTF-8 text")]
    [InlineData(new byte[] { (byte)'a', (byte)':', (byte)'\n', (byte)' ', 0xC3, 0xA9, 0xED, 0xA0, 0x80 }, "x.yaml:2:3: byte 0xED is not UTF-8; policy files are UTF-8 text")]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'a', 0 }, "x.yaml:1:1: the file is UTF-16; save it as UTF-8")]
    [InlineData(new byte[] { (byte)'a', (byte)':', (byte)' ', (byte)'b', 0, (byte)'c' }, "x.yaml:1:5: the character U+0000 is not allowed in a YAML file (a binary file, or a stray control character?)")]
    [InlineData(new byte[] { (byte)'a', (byte)':', (byte)' ', 0xC2, 0x9B, (byte)'c' }, "x.yaml:1:4: the character U+009B is not allowed in a YAML file (a binary file, or a stray control character?)")]
    public void Bytes_that_are_not_text_are_refused_where_they_stand(byte[] bytes, string message)
    {
        Assert.False(PolicyFileGate.TryDecode(bytes, "x.yaml", out _, out var error));
        Assert.Equal(message, error!.ToString());
    }

    [Fact]
    public void A_byte_order_mark_is_allowed()
    {
        Assert.True(PolicyFileGate.TryDecode([0xEF, 0xBB, 0xBF, (byte)'a', (byte)':', (byte)' ', (byte)'1'], "x.yaml", out var text, out _));
        Assert.Equal("a: 1", text);
    }
}
