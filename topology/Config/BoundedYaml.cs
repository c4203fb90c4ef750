using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CrossClusterIac.Topology.Config;

/// <summary>
/// Reads the first document of a YAML text into a JSON tree from YamlDotNet's parsing events, within bounds a
/// stack file never comes near: no more than <see cref="MaxDepth"/> levels of nesting and no more than
/// <see cref="MaxNodes"/> values, aliases counted as the copies they stand for.
/// </summary>
/// <remarks>
/// YamlDotNet's <c>YamlStream</c> keeps an alias as a second reference to its anchored node, so a tree built
/// from it grows with every expansion ("billion laughs": nine aliases of nine aliases … is 9^10 values from a
/// few hundred bytes) and a node that contains its own alias (<c>&amp;a [*a]</c>) becomes a cycle that a
/// recursive walk follows until the stack overflows. Reading the events instead lets an alias be counted
/// before it is copied and lets an alias of a node that is still open be refused. Pulumi itself expands
/// aliases in stack files (pulumi/pulumi sdk/go/common/encoding/marshal.go reads them with go-yaml, whose
/// decode.go bounds expansion by <c>allowedAliasRatio</c>), so aliases are accepted here too, within the budget.
/// Keys must be text: Pulumi's config keys are strings, and a JSON object has no other kind of key.
/// </remarks>
internal static partial class BoundedYaml
{
    /// <summary>Deepest nesting of mappings and lists; a topology needs fewer than ten levels.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most values (scalars, mappings, lists, aliases expanded) a stack file may produce.</summary>
    public const int MaxNodes = 100_000;

    private const string CoreTagPrefix = "tag:yaml.org,2002:";

    /// <summary>
    /// The first document as JSON (<c>null</c> when the text holds none). <paramref name="display"/> turns a
    /// path in the file (<c>config.cross-cluster-dr:topology.regions[0]</c>) into the one problems name.
    /// </summary>
    /// <exception cref="TopologyConfigException">The text is not YAML, exceeds a bound, or has a key that is not text.</exception>
    public static JsonNode? Read(string yaml, Func<string, string> display)
    {
        var reader = new Reader(display);
        try
        {
            return reader.Read(new Parser(new StringReader(yaml)));
        }
        catch (YamlException e)
        {
            throw new TopologyConfigException([new ConfigProblem($"line {e.Start.Line}", $"the stack file is not valid YAML: {e.InnerException?.Message ?? e.Message}")]);
        }
    }

    private sealed class Reader(Func<string, string> display)
    {
        private readonly List<ConfigProblem> _problems = [];
        private readonly Stack<Frame> _open = new();
        private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
        private readonly HashSet<string> _openAnchors = new(StringComparer.Ordinal);
        private int _nodes;
        private JsonNode? _root;

        public JsonNode? Read(Parser parser)
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case Scalar scalar:
                        Count(1, scalar.Start);
                        var value = ScalarValue(scalar);
                        if (!scalar.Anchor.IsEmpty)
                        {
                            _anchors[scalar.Anchor.Value] = new Anchored(value, 1, scalar.Value);
                        }

                        if (Deliver(value, scalar.Value, scalar.Start))
                        {
                            return Finish();
                        }

                        break;

                    case AnchorAlias alias:
                        var name = alias.Value.Value;
                        if (_openAnchors.Contains(name))
                        {
                            throw Fatal(ChildPath(), $"the alias *{name} at line {alias.Start.Line} stands for the node that contains it, which would never end; replace the alias with the value itself.");
                        }

                        if (!_anchors.TryGetValue(name, out var anchored))
                        {
                            throw Fatal(ChildPath(), $"the alias *{name} at line {alias.Start.Line} has no anchor &{name} before it; define the anchor first or write the value out.");
                        }

                        // Counted before it is copied: the budget, not the copy, decides whether the file is too big.
                        Count(anchored.Nodes, alias.Start);
                        if (Deliver(anchored.Node?.DeepClone(), anchored.ScalarText, alias.Start))
                        {
                            return Finish();
                        }

                        break;

                    case MappingStart mapping:
                        Open(new JsonObject(), mapping.Anchor, mapping.Start);
                        break;

                    case SequenceStart sequence:
                        Open(new JsonArray(), sequence.Anchor, sequence.Start);
                        break;

                    case MappingEnd or SequenceEnd:
                        var frame = _open.Pop();
                        if (!frame.Anchor.IsEmpty)
                        {
                            _openAnchors.Remove(frame.Anchor.Value);
                            _anchors[frame.Anchor.Value] = new Anchored(frame.Node, _nodes - frame.NodesBefore, null);
                        }

                        if (Deliver(frame.Node, null, frame.Start))
                        {
                            return Finish();
                        }

                        break;
                }
            }

            return Finish();
        }

        private JsonNode? Finish()
        {
            if (_problems.Count > 0)
            {
                throw new TopologyConfigException(_problems);
            }

            return _root;
        }

        // Hands a finished node to the collection it belongs to; true when it is the document's root, which ends the reading
        // (Pulumi, like any YAML unmarshaller, reads the first document of a stack file).
        private bool Deliver(JsonNode? node, string? scalarText, Mark start)
        {
            if (!_open.TryPeek(out var parent))
            {
                _root = node;
                return true;
            }

            if (parent.Node is JsonArray array)
            {
                array.Add(node);
                parent.Index++;
            }
            else if (parent.ExpectsKey)
            {
                parent.ExpectsKey = false;
                parent.Key = null;
                if (scalarText is null)
                {
                    _problems.Add(Problem(parent.Path, $"the key at line {start.Line} is a {(node is JsonArray ? "list" : "mapping")}; keys must be plain text, such as 'name:'. Complex keys ('? [a, b]' or '{{a: 1}}: x') are not supported."));
                }
                else if (scalarText == "<<")
                {
                    _problems.Add(Problem(Child(parent.Path, scalarText), $"YAML merge keys ('<<: *anchor', line {start.Line}) are not supported; write the keys out."));
                }
                else if (parent.Keys.TryGetValue(scalarText, out var first))
                {
                    _problems.Add(Problem(Child(parent.Path, scalarText), $"duplicate key: first at line {first.Line}, again at line {start.Line}; keep one of them."));
                }
                else
                {
                    parent.Keys.Add(scalarText, start);
                    parent.Key = scalarText;
                }
            }
            else
            {
                parent.ExpectsKey = true;
                if (parent.Key is { } key)
                {
                    ((JsonObject)parent.Node)[key] = node;
                }
            }

            return false;
        }

        private void Open(JsonNode node, AnchorName anchor, Mark start)
        {
            var path = ChildPath();
            if (_open.Count + 1 > MaxDepth)
            {
                throw Fatal(path, $"nested more than {MaxDepth} levels deep at line {start.Line}; a topology needs fewer than ten, so this is not a stack file.");
            }

            Count(1, start);
            if (!anchor.IsEmpty)
            {
                _openAnchors.Add(anchor.Value);
            }

            _open.Push(new Frame(node, path, start, anchor, _nodes - 1));
        }

        private void Count(int nodes, Mark at)
        {
            _nodes += nodes;
            if (_nodes > MaxNodes)
            {
                throw Fatal(ChildPath(), $"the stack file holds more than {MaxNodes} values by line {at.Line}, aliases (*name) counted as the copies they stand for; a stack file needs a few hundred. Remove the anchors and aliases that multiply it.");
            }
        }

        // The path of the node about to be delivered to the innermost open collection.
        private string ChildPath()
        {
            if (!_open.TryPeek(out var parent))
            {
                return string.Empty;
            }

            return parent.Node is JsonArray ? $"{parent.Path}[{parent.Index}]" : parent.ExpectsKey ? parent.Path : Child(parent.Path, parent.Key ?? "?");
        }

        private JsonNode? ScalarValue(Scalar scalar)
        {
            var tag = scalar.Tag;
            if (!tag.IsEmpty && !tag.IsNonSpecific && !tag.Value.StartsWith(CoreTagPrefix, StringComparison.Ordinal))
            {
                _problems.Add(Problem(ChildPath(), $"the tag {tag.Value} at line {scalar.Start.Line} is not supported; remove it (quote the value to keep it text)."));
                return null;
            }

            // '!' and '!!str' say "text"; an explicit core tag otherwise resolves as the plain value would.
            if ((!tag.IsEmpty && (tag.IsNonSpecific || tag.Value == CoreTagPrefix + "str")) || scalar.Style != ScalarStyle.Plain)
            {
                return JsonValue.Create(scalar.Value);
            }

            return PlainValue(scalar.Value);
        }

        private TopologyConfigException Fatal(string path, string message) => new TopologyConfigException([.. _problems, Problem(path, message)]);

        private ConfigProblem Problem(string path, string message) => new(display(path), message);

        private static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

        private sealed record Anchored(JsonNode? Node, int Nodes, string? ScalarText);

        private sealed class Frame(JsonNode node, string path, Mark start, AnchorName anchor, int nodesBefore)
        {
            public JsonNode Node { get; } = node;

            public string Path { get; } = path;

            public Mark Start { get; } = start;

            public AnchorName Anchor { get; } = anchor;

            public int NodesBefore { get; } = nodesBefore;

            public int Index { get; set; }

            public bool ExpectsKey { get; set; } = true;

            public string? Key { get; set; }

            public Dictionary<string, Mark> Keys { get; } = new(StringComparer.Ordinal);
        }
    }

    // YAML leaves typing to the reader: plain (unquoted) numbers and booleans become JSON numbers and booleans,
    // as Pulumi does for structured config; quoted values stay text. A whole number too large for a long stays
    // a number (its digits kept), so the key it lands on reports it as out of range rather than as text.
    private static JsonNode? PlainValue(string text)
    {
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (WholeNumber().IsMatch(text))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return JsonValue.Create(number);
            }

            var negative = text[0] == '-';
            var digits = text.TrimStart('+', '-').TrimStart('0');
            return JsonNode.Parse((negative ? "-" : string.Empty) + (digits.Length == 0 ? "0" : digits));
        }

        return text is "true" or "false" ? JsonValue.Create(text == "true") : JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex WholeNumber();
}
