using System.Security.Cryptography;
using System.Text;

namespace Reconciler.Render;

/// <summary>
/// Names of chains, ipsets and squid ACLs: readable (they carry the allowlist and dependency) and within the
/// kernel's limits (ipset 31, chain 28 characters); a long name is cut and made unique with a short hash.
/// </summary>
public static class RenderNames
{
    public static string Chain(string allowlist) => Fit("rcn-" + allowlist, 28);

    /// <param name="group">0 for the dependency's first set of ports, 1 for its second…</param>
    public static string Set(string allowlist, string dependency, int group, int family) =>
        Fit($"{allowlist}_{dependency}{(group == 0 ? "" : "_p" + (group + 1))}", 27) + (family == 4 ? "_v4" : "_v6");

    /// <summary>
    /// The temporary set a reload fills before swapping it in: the set's name behind a '_', which no allowlist name
    /// starts with, so it never collides with a live set, and within ipset's 31 characters (a set name has 30 at most).
    /// </summary>
    public static string Swap(string set) => "_" + set;

    public static string Acl(string allowlist, string dependency, string what) => $"rcn_{allowlist}_{dependency}_{what}";

    /// <summary>
    /// An nftables table of one allowlist. Policy names hold only lower-case letters, digits and hyphens; nft
    /// identifiers take underscores in place of hyphens, and no policy name has an underscore, so names stay distinct.
    /// </summary>
    public static string NftTable(string allowlist) => "rcn_" + NftWord(allowlist);

    /// <summary>
    /// A set within the allowlist's own table: the dependency, its group of ports and the family (a table is a namespace
    /// of its own). The group is written with a capital P, which no policy name holds: dependency db's second group and
    /// a dependency named db-p2 would otherwise both be d_db_p2_v4.
    /// </summary>
    public static string NftSet(string allowlist, string dependency, int group, int family) =>
        $"d_{NftWord(dependency)}{(group == 0 ? "" : "_P" + (group + 1))}_v{family}";

    private static string NftWord(string name) => name.Replace('-', '_');

    private static string Fit(string name, int max)
    {
        if (name.Length <= max)
            return name;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..6];
        return name[..(max - 7)] + "." + hash;
    }
}
