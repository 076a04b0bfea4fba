using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Reflection;

namespace Reconciler.Tests.Architecture;

/// <summary>
/// Which namespace of an assembly uses which, read from the compiled metadata and IL (base types, signatures,
/// attributes and every token a method body names), so that nothing the compiler sees is missed: a `using` line
/// proves nothing, a call does. Compiler-generated types (lambdas, state machines) count as their outer type's.
/// </summary>
public sealed class NamespaceGraph
{
    /// <summary>Namespace → the namespaces it uses, each with the type-level uses behind it ("Planner → Finding").</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Edges { get; }

    private NamespaceGraph(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> edges) => Edges = edges;

    public static NamespaceGraph Of(string assemblyPath, string rootNamespace)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var uses = new Dictionary<string, Dictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeDefinitions)
        {
            var from = Outermost(reader, handle);
            var fromNamespace = reader.GetString(reader.GetTypeDefinition(from).Namespace);
            if (!InRoot(fromNamespace, rootNamespace))
                continue;
            uses.TryAdd(fromNamespace, new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal));
            foreach (var used in TypesUsedBy(reader, pe, handle))
            {
                var to = Outermost(reader, used);
                var toNamespace = reader.GetString(reader.GetTypeDefinition(to).Namespace);
                if (toNamespace == fromNamespace || !InRoot(toNamespace, rootNamespace))
                    continue;
                if (!uses[fromNamespace].TryGetValue(toNamespace, out var why))
                    uses[fromNamespace][toNamespace] = why = new SortedSet<string>(StringComparer.Ordinal);
                why.Add($"{Name(reader, from)} → {Name(reader, to)}");
            }
        }
        return new NamespaceGraph(uses.ToDictionary(
            u => u.Key,
            u => (IReadOnlyDictionary<string, IReadOnlyList<string>>)u.Value.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)[.. e.Value], StringComparer.Ordinal),
            StringComparer.Ordinal));
    }

    /// <summary>Every cycle's strongly connected set of namespaces (Tarjan), largest first; empty for a DAG.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<IReadOnlyList<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in Edges.TryGetValue(node, out var e) ? e.Keys : [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next) && index.TryGetValue(next, out var nextIndex))
                    low[node] = Math.Min(low[node], nextIndex);
            }
            if (low[node] != index[node])
                return;
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            }
            while (member != node);
            if (component.Count > 1)
                found.Add([.. component.Order(StringComparer.Ordinal)]);
        }
        foreach (var node in Edges.Keys.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(node))
                Visit(node);
        return [.. found.OrderByDescending(c => c.Count)];
    }

    /// <summary>One line per namespace, "A → B, C", for reading (and for the closing note of a restructuring).</summary>
    public string Describe(string rootNamespace) => string.Join('\n', Edges.Keys.Order(StringComparer.Ordinal).Select(n =>
        $"{Short(n, rootNamespace)} → {(Edges[n].Count == 0 ? "(nothing)" : string.Join(", ", Edges[n].Keys.Order(StringComparer.Ordinal).Select(t => Short(t, rootNamespace))))}"));

    private static string Short(string ns, string root) => ns == root ? "(root)" : ns[(root.Length + 1)..];

    private static bool InRoot(string ns, string root) => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

    private static TypeDefinitionHandle Outermost(MetadataReader reader, TypeDefinitionHandle handle)
    {
        while (reader.GetTypeDefinition(handle).GetDeclaringType() is { IsNil: false } outer)
            handle = outer;
        return handle;
    }

    private static string Name(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var name = reader.GetString(reader.GetTypeDefinition(handle).Name);
        var tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    private static HashSet<TypeDefinitionHandle> TypesUsedBy(MetadataReader reader, PEReader pe, TypeDefinitionHandle handle)
    {
        var provider = new TypesInSignatures();
        var type = reader.GetTypeDefinition(handle);
        var used = new HashSet<TypeDefinitionHandle>();
        void Add(EntityHandle entity) => used.UnionWith(TypesOfEntity(reader, provider, entity));
        if (!type.BaseType.IsNil)
            Add(type.BaseType);
        foreach (var i in type.GetInterfaceImplementations())
            Add(reader.GetInterfaceImplementation(i).Interface);
        foreach (var p in type.GetGenericParameters())
            foreach (var c in reader.GetGenericParameter(p).GetConstraints())
                Add(reader.GetGenericParameterConstraint(c).Type);
        foreach (var a in type.GetCustomAttributes())
            Add(reader.GetCustomAttribute(a).Constructor);
        foreach (var f in type.GetFields())
        {
            var field = reader.GetFieldDefinition(f);
            used.UnionWith(field.DecodeSignature(provider, null));
            foreach (var a in field.GetCustomAttributes())
                Add(reader.GetCustomAttribute(a).Constructor);
        }
        foreach (var p in type.GetProperties())
            foreach (var a in reader.GetPropertyDefinition(p).GetCustomAttributes())
                Add(reader.GetCustomAttribute(a).Constructor);
        foreach (var m in type.GetMethods())
        {
            var method = reader.GetMethodDefinition(m);
            var signature = method.DecodeSignature(provider, null);
            used.UnionWith(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes)
                used.UnionWith(parameter);
            foreach (var a in method.GetCustomAttributes())
                Add(reader.GetCustomAttribute(a).Constructor);
            if (method.RelativeVirtualAddress == 0)
                continue;
            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
                foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null))
                    used.UnionWith(local);
            foreach (var token in Tokens(body.GetILBytes() ?? []))
                Add(MetadataTokens.EntityHandle(token));
        }
        return used;
    }

    private static IEnumerable<TypeDefinitionHandle> TypesOfEntity(MetadataReader reader, TypesInSignatures provider, EntityHandle entity)
    {
        switch (entity.Kind)
        {
            case HandleKind.TypeDefinition:
                return [(TypeDefinitionHandle)entity];
            case HandleKind.TypeSpecification:
                return reader.GetTypeSpecification((TypeSpecificationHandle)entity).DecodeSignature(provider, null);
            case HandleKind.MethodDefinition:
                return [reader.GetMethodDefinition((MethodDefinitionHandle)entity).GetDeclaringType()];
            case HandleKind.FieldDefinition:
                return [reader.GetFieldDefinition((FieldDefinitionHandle)entity).GetDeclaringType()];
            case HandleKind.MemberReference:
                var parent = reader.GetMemberReference((MemberReferenceHandle)entity).Parent;
                return parent.Kind is HandleKind.TypeDefinition or HandleKind.TypeSpecification or HandleKind.MethodDefinition
                    ? TypesOfEntity(reader, provider, parent) : [];
            case HandleKind.MethodSpecification:
                var specification = reader.GetMethodSpecification((MethodSpecificationHandle)entity);
                return [.. TypesOfEntity(reader, provider, specification.Method), .. specification.DecodeSignature(provider, null).SelectMany(t => t)];
            default:
                return [];
        }
    }

    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>The metadata tokens an IL body names (calls, fields, types, ldtoken), walking it opcode by opcode.</summary>
    private static IEnumerable<int> Tokens(byte[] il)
    {
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at++];
            if (value == 0xFE)
                value = unchecked((short)(0xFE00 | il[at++]));
            var operand = Operands[value];
            switch (operand)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    yield return BitConverter.ToInt32(il, at);
                    at += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                default: // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    at += 4;
                    break;
            }
        }
    }

    /// <summary>Decodes a signature into the assembly's own types it mentions (generic arguments included).</summary>
    private sealed class TypesInSignatures : ISignatureTypeProvider<ImmutableHashSet<TypeDefinitionHandle>, object?>
    {
        private static readonly ImmutableHashSet<TypeDefinitionHandle> None = [];
        public ImmutableHashSet<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];
        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => None;
        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public ImmutableHashSet<TypeDefinitionHandle> GetSZArrayType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetArrayType(ImmutableHashSet<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetByReferenceType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetPointerType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetPinnedType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetGenericInstantiation(ImmutableHashSet<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableHashSet<TypeDefinitionHandle>> typeArguments) =>
            typeArguments.Aggregate(genericType, (all, t) => all.Union(t));
        public ImmutableHashSet<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => None;
        public ImmutableHashSet<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => None;
        public ImmutableHashSet<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableHashSet<TypeDefinitionHandle>> signature) =>
            signature.ParameterTypes.Aggregate(signature.ReturnType, (all, t) => all.Union(t));
        public ImmutableHashSet<TypeDefinitionHandle> GetModifiedType(ImmutableHashSet<TypeDefinitionHandle> modifier, ImmutableHashSet<TypeDefinitionHandle> unmodifiedType, bool isRequired) =>
            unmodifiedType.Union(modifier);
    }
}
