#!/usr/bin/env bash
# DNS benchmark (issue 3): 10,000 names, A+AAAA (20,000 queries), served by Knot on loopback.
#   Reconciler's bulk resolver  vs  adnshost (C, asynchronous)  and  dnsperf (the server's capacity).
# adnshost only talks to port 53, so it and its own Knot run inside a network namespace made here.
# Needs root (ip netns) and the packages of .ci/install-test-servers. Prints figures and ratios; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
W=$(mktemp -d /tmp/reconciler-bench-dns.XXXXXX)
NS=reconciler-bench-$$
PORT=${PORT:-5399}
RUNS=${RUNS:-3}
now() { date +%s.%N; }

cleanup() {
  for p in "$W"/knot-*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

bash .ci/install-test-servers
dotnet build bench/DnsBench -c Release -v quiet -nologo >/dev/null

awk 'BEGIN { print "$ORIGIN bulk.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 127.0.0.1";
             for (i = 0; i < 10000; i++) printf "h%05d IN A 10.%d.%d.%d\nh%05d IN AAAA fd00::%x\n", i, int(i/65536), int(i/256)%256, i%256, i, i }' > "$W/bulk.test.zone"
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "h%05d.bulk.test\n", i }' > "$W/names.txt"
awk '{ print $1 " A"; print $1 " AAAA" }' "$W/names.txt" > "$W/dnsperf.txt"

knot_conf() { # name listen
  mkdir -p "$W/$1"
  cat > "$W/$1.conf" <<CONF
server:
    rundir: "$W/$1"
    listen: [ $2 ]
log:
  - target: "$W/$1/knot.log"
    any: notice
database:
    storage: "$W/$1"
template:
  - id: default
    storage: "$W"
    file: "%s.zone"
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: bulk.test
CONF
}
wait_dns() { for _ in $(seq 1 500); do "$@" +short +tries=1 +timeout=1 h09999.bulk.test 2>/dev/null | grep -q . && return 0; sleep 0.01; done; return 1; }

knot_conf host "127.0.0.1@$PORT"
knotd -c "$W/host.conf" & echo $! > "$W/knot-host.pid"
wait_dns dig @127.0.0.1 -p "$PORT"

ip netns add "$NS"; ip netns exec "$NS" ip link set lo up
knot_conf netns "127.0.0.1@53"
ip netns exec "$NS" knotd -c "$W/netns.conf" & echo $! > "$W/knot-netns.pid"
wait_dns ip netns exec "$NS" dig @127.0.0.1

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# CPU seconds (user + system) a process has used so far, from /proc: what Knot spends serving each client.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$1/stat"; }
knot_host=$(cat "$W/knot-host.pid"); knot_netns=$(cat "$W/knot-netns.pid")

echo "load average at the start: $(cut -d" " -f1-3 /proc/loadavg), dotnet processes: $(pgrep -c dotnet || true)"
echo "== Reconciler (bulk resolver, 256 lookups in flight, a fresh source port every 2 queries), $RUNS runs"
k0=$(cpu_of "$knot_host")
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$W/time.txt" dotnet bench/DnsBench/bin/Release/net10.0/DnsBench.dll "127.0.0.1:$PORT" "$W/names.txt" | tee -a "$W/reconciler.txt"
  echo "   process wall $(cut -d' ' -f1 "$W/time.txt") s, max RSS $(cut -d' ' -f2 "$W/time.txt") KiB (incl. .NET start-up)"
done
r_wall=$(grep '^reconciler ' "$W/reconciler.txt" | sed -E 's/.*wall_s=([0-9.]+).*/\1/' | median)
r_qps=$(grep '^reconciler ' "$W/reconciler.txt" | sed -E 's/.*qps=([0-9]+).*/\1/' | median)
r_rss=$(grep '^reconciler ' "$W/reconciler.txt" | sed -E 's/.*peak_rss_kib=([0-9]+).*/\1/' | median)
r_ports=$(grep '^reconciler ' "$W/reconciler.txt" | sed -E 's/.*ports=([0-9]+).*/\1/' | median)
r_cpu=$(grep '^reconciler ' "$W/reconciler.txt" | sed -E 's/.*cpu_s=([0-9.]+).*/\1/' | median)
r_knot=$(echo "scale=4; ($(cpu_of "$knot_host") - $k0) / $RUNS" | bc)

echo "== adnshost (C, asynchronous), batches of 125 names x A+AAAA = 250 queries in flight, $RUNS runs"
k0=$(cpu_of "$knot_netns")
for _ in $(seq "$RUNS"); do
  t0=$(now)
  /usr/bin/time -f "%U %S" -o "$W/time.txt" ip netns exec "$NS" sh -c "xargs -n 125 sh -c 'adnshost +e --config \"nameserver 127.0.0.1\" -ta \"\$@\" -taaaa \"\$@\"' _ < '$W/names.txt' > '$W/adns.out' 2>&1"
  t=$(echo "$(now) - $t0" | bc)
  echo "adnshost wall_s=$t answers=$(grep -cE ' (A|AAAA) ' "$W/adns.out") cpu_s=$(awk '{ print $1 + $2 }' "$W/time.txt")" | tee -a "$W/adns.txt"
done
a_wall=$(sed -E 's/.*wall_s=([0-9.]+).*/\1/' "$W/adns.txt" | median)
a_cpu=$(sed -E 's/.*cpu_s=([0-9.]+).*/\1/' "$W/adns.txt" | median)
a_knot=$(echo "scale=4; ($(cpu_of "$knot_netns") - $k0) / $RUNS" | bc)

echo "== dnsperf (server capacity), the same 20,000 queries x 5, 4 clients, 500 outstanding"
k0=$(cpu_of "$knot_host")
dnsperf -s 127.0.0.1 -p "$PORT" -d "$W/dnsperf.txt" -n 5 -c 4 -q 500 2>&1 | grep -E 'Queries (sent|completed|lost)|Queries per second' | tee "$W/dnsperf.out"
d_qps=$(awk '/Queries per second/ { print $4 }' "$W/dnsperf.out")
d_knot=$(echo "$(cpu_of "$knot_host") - $k0" | bc)

echo
echo "== Figures (medians of $RUNS runs)"
printf '%-34s %12s %12s %12s\n' "" "wall (s)" "queries/s" "peak RSS"
printf '%-34s %12s %12s %12s\n' "Reconciler bulk resolver" "$r_wall" "$r_qps" "${r_rss} KiB"
printf '%-34s %12s %12s %12s\n' "adnshost" "$a_wall" "$(echo "20000 / $a_wall" | bc)" "-"
printf '%-34s %12s %12s %12s\n' "dnsperf (capacity)" "-" "${d_qps%.*}" "-"
echo "ratio wall Reconciler/adnshost:     $(echo "scale=2; $r_wall / $a_wall" | bc)   (goal <= 1)"
echo "ratio qps  Reconciler/dnsperf:      $(echo "scale=2; $r_qps / $d_qps" | bc)   (goal >= 0.50)"
echo "distinct source ports:              $r_ports for 20,000 queries = 1 per $(echo "scale=1; 20000 / $r_ports" | bc) queries   (goal >= 1,000 per 4,000 = 1 per 4)"
per1k() { echo "scale=4; $1 * 1000 / $2" | bc | sed -E 's/^\./0./'; }
# dnsperf's own CPU is left out: it polls busily through its 5 s wait for lost queries, which its run time leaves out.
echo "CPU s per 1,000 queries, client:    Reconciler $(per1k "$r_cpu" 20000), adnshost $(per1k "$a_cpu" 20000)   (Reconciler: in-process while resolving; adnshost: its 80 processes)"
echo "CPU s per 1,000 queries, Knot:      for Reconciler $(per1k "$r_knot" 20000), for adnshost $(per1k "$a_knot" 20000), for dnsperf $(per1k "$d_knot" 100000)"
echo "load average at the end:            $(cut -d' ' -f1-3 /proc/loadavg)   (figures are only comparable on an otherwise idle machine)"
