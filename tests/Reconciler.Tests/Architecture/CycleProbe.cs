// Two namespaces that use each other only inside method bodies: the graph reader must find this cycle.
namespace Reconciler.Tests.Architecture.CycleA
{
    internal static class Ping
    {
        internal static int Count(int n) => n <= 0 ? 0 : CycleB.Pong.Count(n - 1) + 1;
    }
}

namespace Reconciler.Tests.Architecture.CycleB
{
    internal static class Pong
    {
        internal static int Count(int n) => n <= 0 ? 0 : CycleA.Ping.Count(n - 1) + 1;
    }
}

namespace Reconciler.Tests.Architecture
{
    /// <summary>A use of Support that only a method body makes.</summary>
    internal static class BodyOnlyUse
    {
        internal static string Root() => Support.RepoPaths.Root;
    }
}
