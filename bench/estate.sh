#!/usr/bin/env bash
# Estate benchmark (issues 10 and 20): a synthetic estate from a seed, Plan timed whole (DNS from Knot on loopback)
# and with DNS replayed from --observations (the engine alone), at 100, 1,000, 5,000 and 10,000 dependencies, with
# the time and peak memory of each stage (load, observe, diff, plan, write) from Plan's verbose log; warm and cold
# Validate; GitHub calls per run. Prints figures with their goals and ratios; asserts nothing. Needs an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
W=$(mktemp -d /tmp/reconciler-bench-estate.XXXXXX)
PORT=${PORT:-5397}
SEED=${SEED:-7}
cleanup() { [ -f "$W/knot.pid" ] && kill "$(cat "$W/knot.pid")" 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT

bash .ci/install-test-servers
bash .ci/install-npm-tools
dotnet tool restore >/dev/null
dotnet build bench/Estate -c Release -v quiet -nologo >/dev/null
dotnet cake --target=Validate >/dev/null   # builds the library and warms the script cache

plan() { # label, then dotnet cake arguments; prints "label wall_s rss_kib plan_task_s"; keeps the stages in $W/label.stages
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$W/time" dotnet cake "$@" --fail-on=critical --verbosity=verbose > "$W/out.txt" 2>&1 || true
  local task; task=$( (grep -E '^ +Plan +[0-9]' "$W/out.txt" || true) | awk '{ split($2, t, ":"); print t[1]*3600 + t[2]*60 + t[3] }')
  # "stage observe: 0.152 s, peak RSS 148 MiB, managed heap 23 MiB" (StageClock) -> "observe 0.152 148"
  sed -E 's/\x1b\[[0-9;]*m//g' "$W/out.txt" | sed -nE 's/^stage ([a-z]+): ([0-9.]+) s, peak RSS ([0-9]+) MiB.*/\1 \2 \3/p' > "$W/$label.stages"
  # StageClock resets the kernel's high-water mark at each stage, so time's %M is only the peak since the last one:
  # the run's peak is the highest of the stages' and that.
  local wall rss; read -r wall rss < <(tail -n 1 "$W/time")
  rss=$(awk -v r="$rss" '{ if ($3 * 1024 > r) r = $3 * 1024 } END { print r }' "$W/$label.stages")
  echo "$label $wall $rss ${task:-?}"
}
SIZES=${SIZES:-100 1000 5000 10000}   # 1000 and 10000 are needed for the ratios
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg), dotnet processes: $(pgrep -c dotnet || true)"

echo "== engine alone (DNS replayed from --observations), seed $SEED"
for n in $SIZES; do
  dotnet bench/Estate/bin/Release/net10.0/Estate.dll "$n" "$SEED" "$W/e$n" >/dev/null
  plan "replay-$n" --policies="$W/e$n/policies" --observations="$W/e$n/observations.json" --out="$W/e$n/out" --state="$W/e$n/state.json" | tee -a "$W/replay.txt"
done

echo "== 1,000 dependencies resolved for real (Knot on 127.0.0.1:$PORT, 3,000 hosts, A and AAAA)"
mkdir -p "$W/knot"
cp "$W/e1000/estate.test.zone" "$W/knot/"
cat > "$W/knot.conf" <<CONF
server:
    rundir: "$W/knot"
    listen: [ 127.0.0.1@$PORT ]
log:
  - target: "$W/knot/knot.log"
    any: notice
database:
    storage: "$W/knot"
template:
  - id: default
    storage: "$W/knot"
    file: "%s.zone"
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: estate.test
CONF
knotd -c "$W/knot.conf" & echo $! > "$W/knot.pid"
for _ in $(seq 200); do dig @127.0.0.1 -p "$PORT" +short +tries=1 +timeout=1 h0-1.estate.test >/dev/null 2>&1 && break; sleep 0.05; done
plan "dns-1000" --policies="$W/e1000/policies" --nameservers="127.0.0.1:$PORT" --out="$W/live" --state="$W/live-state.json" | tee "$W/dns.txt"
plan "dns-1000-replayed" --policies="$W/e1000/policies" --observations="$W/live/observations.json" --out="$W/live-replay" --state="$W/live-replay-state.json" | tee -a "$W/dns.txt"

echo "== Validate, 3 warm runs and one with the script recompiled"
for i in 1 2 3; do /usr/bin/time -f "%e" -o "$W/t$i" dotnet cake --target=Validate >/dev/null 2>&1; done
/usr/bin/time -f "%e" -o "$W/tcold" dotnet cake --target=Validate --invalidate-script-cache >/dev/null 2>&1
warm=$(cat "$W"/t1 "$W"/t2 "$W"/t3 | sort -n | sed -n 2p)

echo "== GitHub calls of Reconcile against the fake GitHub (second run in an unchanged world; 1,000 dependencies, 10 % drifting, paced)"
dotnet test tests/Reconciler.Tests --filter "FullyQualifiedName~GitHubCallCountTests|FullyQualifiedName~GitHubRunCostTests" --logger "console;verbosity=detailed" > "$W/github-test.txt" 2>&1 || true
sed -n '/dependencies  findings/,/goal 0)/p' "$W/github-test.txt" > "$W/github.txt"
sed -n '/GitHub calls, 1,000 dependencies/,/busiest minute: most/p' "$W/github-test.txt" > "$W/github-cost.txt"

field() { grep "^$1 " "$2" | awk -v f="$3" '{ print $f }'; }
echo
echo "== Figures"
printf '%-34s %10s %12s %14s\n' "" "wall (s)" "peak RSS" "Plan task (s)"
for n in $SIZES; do
  printf '%-34s %10s %9s KiB %14s\n' "engine, $n dependencies" "$(field replay-$n "$W/replay.txt" 2)" "$(field replay-$n "$W/replay.txt" 3)" "$(field replay-$n "$W/replay.txt" 4)"
done
dns_task=$(field dns-1000 "$W/dns.txt" 4); rest_task=$(field dns-1000-replayed "$W/dns.txt" 4)
printf '%-34s %10s %9s KiB %14s\n' "Plan, 1,000 dependencies, DNS" "$(field dns-1000 "$W/dns.txt" 2)" "$(field dns-1000 "$W/dns.txt" 3)" "$dns_task"
rss=$(field dns-1000 "$W/dns.txt" 3)
ratio() { echo "scale=2; $1 / ($2)" | bc | sed 's/^\./0./'; }
echo "split of that Plan task: DNS $(echo "$dns_task - $rest_task" | bc) s, the rest $rest_task s"
echo "  the rest / goal of 3 s:          $(ratio "$rest_task" 3)   (goal <= 1)"
echo "  peak RSS / goal of 200 MB:       $(ratio "$rss" 204800)   (goal <= 1)"
t100=$(field replay-100 "$W/replay.txt" 4); t1000=$(field replay-1000 "$W/replay.txt" 4); t5000=$(field replay-5000 "$W/replay.txt" 4)
echo "growth of the engine, time ratio / dependency ratio (1 = linear, below 1 = start-up costs dominate):"
echo "  100 -> 1,000:   x$(ratio "$t1000" "$t100") time for x10 dependencies = $(ratio "$t1000" "$t100 * 10")"
echo "  1,000 -> 5,000: x$(ratio "$t5000" "$t1000") time for x5 dependencies  = $(ratio "$t5000" "$t1000 * 5")"
stage() { awk -v s="$2" -v f="$3" '$1 == s { print $f }' "$W/$1.stages"; }
echo "stages of the engine (DNS replayed): seconds / peak RSS in MiB during the stage"
printf '%-14s' "dependencies"; for s in load observe diff plan write; do printf '%16s' "$s"; done; printf '%16s\n' "sum"
for n in $SIZES; do
  printf '%-14s' "$n"
  for s in load observe diff plan write; do printf '%16s' "$(stage replay-$n $s 2) / $(stage replay-$n $s 3)"; done
  printf '%16s\n' "$(awk '{ t += $2 } END { printf "%.3f", t }' "$W/replay-$n.stages")"
done
sum() { awk '{ t += $2 } END { print t }' "$W/replay-$1.stages"; }
t10k=$(field replay-10000 "$W/replay.txt" 4); rss10k=$(field replay-10000 "$W/replay.txt" 3)
echo "10,000 dependencies against 1,000 (x10):"
echo "  Plan task x$(ratio "$t10k" "$t1000") / goal of x8 = $(ratio "$t10k" "$t1000 * 8")   (goal <= 1)"
echo "  stages   x$(ratio "$(sum 10000)" "$(sum 1000)")   (load+observe+diff+plan+write)"
for s in load observe diff plan write; do
  echo "    $s x$(ratio "$(stage replay-10000 $s 2)" "$(stage replay-1000 $s 2) + 0.001")"
done
echo "  peak RSS $((rss10k / 1024)) MiB / goal of 400 MB = $(ratio "$rss10k" 390625)   (goal <= 1; includes Cake and the compiled script, $(stage replay-10000 load 3) MiB after load)"
echo "Validate: warm $warm s, / goal of 1.5 s = $(ratio "$warm" 1.5)   (goal <= 1); script recompiled $(cat "$W/tcold") s"
echo "GitHub calls (fake GitHub, every request checked against GitHub's OpenAPI description):"
sed 's/^ //; s/^/  /' "$W/github.txt"
sed 's/^ //; s/^/  /' "$W/github-cost.txt"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)   (figures are only comparable on an otherwise idle machine)"
