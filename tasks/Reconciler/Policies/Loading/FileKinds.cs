using System.Runtime.InteropServices;

namespace Reconciler.Policies.Loading;

/// <summary>
/// What a path is, without opening it: opening a FIFO blocks until someone writes to it, and .NET's file
/// attributes cannot tell a FIFO or a device from a regular file. Linux's statx has one layout on every
/// architecture (stat does not), so its mode is read at a fixed offset.
/// </summary>
internal static partial class FileKinds
{
    public enum Kind { Regular, Directory, Link, Fifo, CharacterDevice, BlockDevice, Socket, Missing, Unknown }

    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;   // struct statx: mask, blksize, attributes (8), nlink, uid, gid, then mode (u16)

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
#pragma warning disable CA2101, SYSLIB1054 // the path is UTF-8 by the marshaller below; a DllImport keeps the library free of unsafe code
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
#pragma warning restore CA2101, SYSLIB1054

    /// <summary>The kind of the path itself (a link is a link, not its target).</summary>
    public static Kind Of(string path)
    {
        if (!OperatingSystem.IsLinux())
            return Managed(path);
        var buffer = new byte[256];
        int result;
        try
        {
            result = Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            return Managed(path);
        }
        if (result != 0)
            return Marshal.GetLastPInvokeError() == 2 ? Kind.Missing : Kind.Unknown;
        var mode = BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000;
        return mode switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            0xA000 => Kind.Link,
            0x1000 => Kind.Fifo,
            0x2000 => Kind.CharacterDevice,
            0x6000 => Kind.BlockDevice,
            0xC000 => Kind.Socket,
            _ => Kind.Unknown,
        };
    }

    /// <summary>Elsewhere only what .NET can tell; the byte limit on reading still bounds a device.</summary>
    private static Kind Managed(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path))
            return info.LinkTarget is null ? Kind.Missing : Kind.Link;
        if (info.LinkTarget is not null)
            return Kind.Link;
        return info.Attributes.HasFlag(FileAttributes.Directory) ? Kind.Directory : Kind.Regular;
    }

    public static string Describe(Kind kind) => kind switch
    {
        Kind.Directory => "a directory",
        Kind.Fifo => "a FIFO (named pipe)",
        Kind.CharacterDevice => "a character device",
        Kind.BlockDevice => "a block device",
        Kind.Socket => "a socket",
        Kind.Link => "a symbolic link",
        _ => "not a file Reconciler can identify",
    };
}
