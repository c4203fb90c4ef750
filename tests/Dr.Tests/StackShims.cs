using System.Text;

namespace CrossClusterIac.Tests.Dr;

/// <summary>
/// Stand-ins for the `pulumi` and `kubectl` command lines, which this machine does not have: shell scripts that keep a
/// stack's config in files (primaryRegion, switchover.to, the secret token), record each call, and on
/// `pulumi up` make the running sandbox do what CNPG does with that phase's Clusters (`sandbox switchover` once
/// phase 1 is applied, `sandbox failover` once a failover's topology is), so that verify at the end reads real servers.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class StackShims : IDisposable
{
    private StackShims(string directory) => Directory = directory;

    /// <summary>The shims' directory: their state files, call log and the scripts.</summary>
    public string Directory { get; }

    public string Pulumi => Path.Combine(Directory, "pulumi");

    public string Kubectl => Path.Combine(Directory, "kubectl");

    /// <summary>Each `pulumi up`'s view of the config: "primary to token?".</summary>
    public IReadOnlyList<string> Ups => Lines("ups.log");

    /// <summary>Every call, arguments joined by spaces.</summary>
    public IReadOnlyList<string> Calls => Lines("calls.log");

    public string? Read(string name) => File.Exists(Path.Combine(Directory, name)) ? File.ReadAllText(Path.Combine(Directory, name)) : null;

    public void Write(string name, string content) => File.WriteAllText(Path.Combine(Directory, name), content);

    /// <summary>The topology template the shims' config prints for <paramref name="regions"/>.</summary>
    public static string TopologyTemplate(IReadOnlyList<string>? regions = null) =>
        StackConfig.Topology("__PRIMARY__", "__TO__", regions).Replace("{\"to\":\"__TO__\"}", "__SWITCHOVER__", StringComparison.Ordinal);

    /// <summary>Shims for a stack whose primary is <paramref name="primary"/>, serving the sandbox's outputs; its regions are the sandbox's two unless named.</summary>
    public static StackShims For(string primary, string sandboxDirectory, string sandboxExecutable, IReadOnlyList<string>? regions = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"crosscluster-dr-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        var shims = new StackShims(directory);
        shims.Write("primary", primary);
        shims.Write("topology.json", TopologyTemplate(regions));
        Script(shims.Pulumi, $$"""
            S='{{directory}}'
            echo "$*" >> "$S/calls.log"
            primary=$(cat "$S/primary"); to=$(cat "$S/to" 2>/dev/null); token=$(cat "$S/token" 2>/dev/null)
            case "$1 $2" in
              "config --json")
                sw=null; [ -n "$to" ] && sw="{\"to\":\"$to\"}"
                topology=$(sed -e "s/__PRIMARY__/$primary/" -e "s/__SWITCHOVER__/$sw/" "$S/topology.json")
                secret=""; [ -n "$token" ] && secret=",\"cross-cluster-dr:promotionToken\":{\"value\":\"$token\",\"secret\":true}"
                [ -f "$S/rebuild" ] && secret="$secret,\"cross-cluster-dr:rebuild\":{\"value\":\"$(cat "$S/rebuild")\",\"secret\":false}"
                echo "{\"cross-cluster-dr:topology\":{\"objectValue\":$topology,\"secret\":false}$secret}" ;;
              "config set")
                case "$4" in
                  *.switchover.to) printf %s "$5" > "$S/to" ;;
                  *.primaryRegion) printf %s "$5" > "$S/primary" ;;
                  cross-cluster-dr:promotionToken) [ "$3" = --secret ] && cat > "$S/token" && cat "$S/token" >> "$S/secrets.log" ;;
                  cross-cluster-dr:rebuild) printf %s "$5" > "$S/rebuild" ;;
                  cross-cluster-dr:failover) printf %s "$5" > "$S/failover" ;;
                  *) echo "unexpected key $4" >&2; exit 1 ;;
                esac ;;
              "config rm")
                case "$4" in
                  *.switchover) rm -f "$S/to" ;;
                  cross-cluster-dr:promotionToken) rm -f "$S/token" ;;
                  cross-cluster-dr:rebuild) rm -f "$S/rebuild" ;;
                  cross-cluster-dr:failover) rm -f "$S/failover" ;;
                  *.regions\[*\]) cp "$S/topology-removed.json" "$S/topology.json"; touch "$S/removed" ;;
                  *) echo "unexpected key $4" >&2; exit 1 ;;
                esac ;;
              "state unprotect") ;;
              "up --yes")
                echo "${PULUMI_K8S_DELETE_UNREACHABLE:--}" >> "$S/delete-unreachable.log"
                # A long update that, as pulumi does, cancels itself on the first SIGINT (pkg/backend/cancellation_scope.go).
                if [ -f "$S/slow-up" ]; then
                  trap 'kill "$pid"; echo cancelled > "$S/got-sigint"; echo "^C received; cancelling."; exit 255' INT
                  echo "Updating (slow)"; sleep 30 & pid=$!; wait "$pid"; exit 0
                fi
                # The engine refuses an update while another holds the stack's lock (pulumi/pulumi pkg/backend/diy/lock.go checkForLock).
                if [ -f "$S/locked-once" ]; then rm -f "$S/locked-once"; echo "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`." >&2; exit 255; fi
                # The program refuses to move the primary unless the failover key names it (DeployedIdentity.PrimaryMovesIn).
                if [ -f "$S/failover-to" ] && [ "$primary" = "$(cat "$S/failover-to")" ] && [ "$(cat "$S/failover" 2>/dev/null)" != "$primary" ] && [ ! -f "$S/failed-over" ]; then
                  echo "error: topology.primaryRegion: the config says $primary primary, but the last deployment made eu primary" >&2; exit 255
                fi
                seen=-; [ -n "$token" ] && seen=token
                echo "$primary ${to:--} $seen $(cat "$S/rebuild" 2>/dev/null)" | sed 's/ $//' >> "$S/ups.log"
                echo "Updating (${S##*/})"
                # What CNPG does with the Clusters this update declares, done to the sandbox's servers.
                if [ -n "$to" ] && [ -z "$token" ] && [ ! -f "$S/demotion" ] && [ ! -f "$S/hold-demotion" ]; then
                  '{{sandboxExecutable}}' switchover --to "$to" --dir '{{sandboxDirectory}}' --output json > "$S/switchover.json" || exit 1
                  tr -d '\n ' < "$S/switchover.json" | sed -E 's/.*"promotionToken":"([^"]*)".*/\1/' > "$S/demotion"
                fi
                if [ -z "$to" ] && [ -f "$S/failover-to" ] && [ "$primary" = "$(cat "$S/failover-to")" ] && [ ! -f "$S/failed-over" ]; then
                  '{{sandboxExecutable}}' failover --to "$primary" --dir '{{sandboxDirectory}}' > /dev/null || exit 1
                  touch "$S/failed-over"
                  echo "error: region eu: the kube-apiserver did not answer" >&2; exit 255
                fi ;;
              "stack output") if [ -f "$S/removed" ]; then cat "$S/outputs-removed.json"; else cat '{{sandboxDirectory}}/outputs.json'; fi ;;
              "stack export") cat "$S/export.json" ;;
              *) echo "unexpected: $*" >&2; exit 1 ;;
            esac
            """);
        Script(shims.Kubectl, $$"""
            S='{{directory}}'
            echo "$*" >> "$S/calls.log"
            case "$5 $9" in
              "get jsonpath={.status.demotionToken}") cat "$S/demotion" 2>/dev/null ;;
              "get jsonpath={.status.lastPromotionToken}") [ "$(wc -l < "$S/ups.log")" -ge 2 ] && cat "$S/token" ;;
              *) case "$5" in
                   annotate) [ -f "$S/unreachable" ] && { echo "Unable to connect to the server" >&2; exit 1; } ;;
                   *) echo "unexpected: $*" >&2; exit 1 ;;
                 esac ;;
            esac
            exit 0
            """);
        return shims;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private string[] Lines(string name) => Read(name)?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];

    private static void Script(string path, string body)
    {
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body.ReplaceLineEndings("\n") + "\n", new UTF8Encoding(false));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
