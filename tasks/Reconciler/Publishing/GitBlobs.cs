using System.Security.Cryptography;
using System.Text;

namespace Reconciler.Publishing;

/// <summary>Git's object id of a file's content, to tell whether the checkout's copy is the one on the base branch.</summary>
public static class GitBlobs
{
    public static string Sha(string text)
    {
        var content = Encoding.UTF8.GetBytes(text);
        var header = Encoding.ASCII.GetBytes($"blob {content.Length}\0");
#pragma warning disable CA5350 // git names objects by SHA-1; this is an identity, not a security check
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
#pragma warning restore CA5350
    }
}
