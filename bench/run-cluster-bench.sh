#!/usr/bin/env bash
# The cluster against one process, on one machine, one core standing for
# one node (taskset), all in the same run:
#
# - the tcp-remote transport alone: a balancer (core 0) sends every frame
#   to one reassembler (core 1) that only receives them (--stage read,
#   nothing stored): Gbps of capture bytes and batches/s, without keys and
#   with CURVE;
# - the whole pipeline (HTTP, DNS, TLS, DTLS, QUIC, store): one process on
#   one core (`taskset -c 1 run -j 1`), against a balancer on core 0
#   feeding one reassembler on core 1 (`-j 1`), and two reassemblers
#   (cores 1 and 0);
# - shard scaling without a balancer: `run --shard 0/2` on core 0 and
#   `--shard 1/2` on core 1 started together, against one `run` on one
#   core (no SHA-256: the evidence's hash is one sequential pass whatever
#   the number of shards).
#
#   bench/run-cluster-bench.sh [--runs 3] [--build _build] [FILE]
#
# Without FILE the 1 GiB capture of run-bench.sh is used (generated with
# ntpac-gen --size 1G --seed 1 when missing). Best of --runs, page cache
# warm. NTPAC's Table 2 (online, Akka.NET cluster): 233, 407 and 453 Mbps
# with one, two and three reassemblers.
set -euo pipefail

runs=3
build=_build
file=

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    -*) echo "run-cluster-bench.sh: unknown option $1" >&2; exit 1 ;;
    *) file=$1; shift ;;
  esac
done

engine=$(realpath "$build/core/cli/ntpac-engine")
gen=$build/bench/ntpac-gen
[ -x "$engine" ] || { echo "run-cluster-bench.sh: $engine not built (meson compile -C $build)" >&2; exit 1; }
if [ -z "$file" ]; then
  file=${TMPDIR:-/tmp}/ntpac-bench-1G.pcap
  [ -s "$file" ] || "$gen" -o "$file" --size 1G --seed 1 >/dev/null
fi
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null

tmp=$(mktemp -d)
pids=()
cleanup () {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

"$engine" keygen -o "$tmp/reassembler" >/dev/null
"$engine" keygen -o "$tmp/balancer" >/dev/null
mkdir "$tmp/clients" && cp "$tmp/balancer.pub" "$tmp/clients/"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "file:    $file ($bytes bytes)"
echo "runs:    best of $runs"
echo

port=$((20000 + RANDOM % 20000))

# reassembler CORE KEYED ARGS...: starts one in the background, on the
# next port; sets $endpoint.
reassembler () {
  local core=$1 keyed=$2
  shift 2
  port=$((port + 1))
  endpoint=tcp://127.0.0.1:$port
  local keys=(--insecure)
  [ "$keyed" = yes ] && keys=(--curve-secret "$tmp/reassembler.key" --curve-clients "$tmp/clients")
  taskset -c "$core" "$engine" run --listen "$endpoint" "${keys[@]}" "$@" >"$tmp/r-$port.out" 2>&1 &
  pids+=($!)
}

# seconds of the fastest of $runs runs of CMD, which sets $elapsed (the
# part that is measured: the balancer's run, not the reassemblers' start)
best_of () {
  local best=
  for _ in $(seq "$runs"); do
    "$@"
    if [ -z "$best" ] || awk "BEGIN { exit !($elapsed < $best) }"; then best=$elapsed; fi
  done
  echo "$best"
}

# timed CMD...: runs CMD, sets $elapsed to its wall seconds
timed () {
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  elapsed=$(awk "BEGIN { print $end - $start }")
}

row () {
  printf '%-58s %7.2f s %7s Mbps %s\n' "$1" "$2" "$(awk "BEGIN { printf \"%.0f\", $bytes * 8 / $2 / 1e6 }")" "${3:-}"
}

transport_run () {
  local keyed=$1
  rm -f "$tmp/summary.json"
  reassembler 1 "$keyed" --node 0/1 --stage read --no-store
  sleep 0.3
  local keys=(--insecure)
  [ "$keyed" = yes ] && keys=(--curve-secret "$tmp/balancer.key" --curve-server "$tmp/reassembler.pub")
  taskset -c 0 "$engine" run --json --no-hash --connect "$endpoint" "${keys[@]}" "$file" >"$tmp/summary.json"
  wait
  # the balancer's own clock: from connecting to the shard's answer, not
  # the processes' start and exit
  elapsed=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['elapsed_ns'] / 1e9)" "$tmp/summary.json")
}

cluster_run () {
  local n=$1
  local connect=()
  rm -rf "$tmp"/node-*.ntpac
  for k in $(seq 0 $((n - 1))); do
    reassembler $(( (k + 1) % 2 )) no --node "$k/$n" -j 1 -o "$tmp/node-$k.ntpac"
    connect+=(--connect "$endpoint")
  done
  sleep 0.3
  timed taskset -c 0 "$engine" run "${connect[@]}" --insecure "$file" >/dev/null
  wait
}

single_run () {
  rm -rf "$tmp/single.ntpac"
  timed taskset -c 1 "$engine" run -j 1 --no-progress -o "$tmp/single.ntpac" "$@" "$file" >/dev/null
}

shard_pair () {
  rm -rf "$tmp"/shard-*.ntpac
  timed shard_pair_run
}

shard_pair_run () {
  taskset -c 0 "$engine" run -j 1 --no-hash --no-progress --shard 0/2 -o "$tmp/shard-0.ntpac" "$file" >/dev/null &
  taskset -c 1 "$engine" run -j 1 --no-hash --no-progress --shard 1/2 -o "$tmp/shard-1.ntpac" "$file" >/dev/null
  wait
}

printf '%-58s %9s %14s\n' "" time throughput
t=$(best_of transport_run no)
batches=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['shards'][0]['batches'])" "$tmp/summary.json")
row "transport alone, no keys (balancer core 0 -> core 1)*" "$t" "$(awk "BEGIN { printf \"%.0f batches/s\", $batches / $t }")"
t=$(best_of transport_run yes)
row "transport alone, CURVE*" "$t" "$(awk "BEGIN { printf \"%.0f batches/s\", $batches / $t }")"

single=$(best_of single_run)
row "one process, one core (taskset -c 1 run -j 1)" "$single"
one=$(best_of cluster_run 1)
row "balancer (core 0) + 1 reassembler (core 1, -j 1)" "$one" "$(awk "BEGIN { printf \"%.2fx one process\", $single / $one }")"
two=$(best_of cluster_run 2)
row "balancer (core 0) + 2 reassemblers (cores 1 and 0)" "$two" "$(awk "BEGIN { printf \"%.2fx one process\", $single / $two }")"

nohash=$(best_of single_run --no-hash)
row "one process, one core, no SHA-256" "$nohash"
pair=$(best_of shard_pair)
row "--shard 0/2 (core 0) and 1/2 (core 1) together, no SHA-256" "$pair" \
  "$(awk "BEGIN { printf \"efficiency %.2f\", $nohash / (2 * $pair) }")"
# Query through an agent against the same query on the folder: the
# DNS-only capture's 422 K messages (rows/s).
dns_file=$tmp/dns-only.pcap
"$gen" -o "$dns_file" --size 50M --seed 3 --mix dns=1 >/dev/null
"$engine" run --no-progress -o "$tmp/dns.ntpac" "$dns_file" >/dev/null
rows=$("$engine" query -d "$tmp/dns.ntpac" dns --count)
port=$((port + 1))
taskset -c 1 "$engine" serve -d "$tmp/dns.ntpac" --listen "tcp://127.0.0.1:$port" --insecure 2>/dev/null &
pids+=($!)
sleep 0.3
local_query () { timed taskset -c 0 "$engine" query -d "$tmp/dns.ntpac" dns --format jsonl >/dev/null; }
agent_query () { timed taskset -c 0 "$engine" query -d "tcp://127.0.0.1:$port" --insecure dns --format jsonl >/dev/null; }
here=$(best_of local_query)
there=$(best_of agent_query)
printf '%-58s %7.2f s %8.0f rows/s\n' "query dns, local folder (core 0)" "$here" "$(awk "BEGIN { print $rows / $here }")"
printf '%-58s %7.2f s %8.0f rows/s %.2fx local\n' "query dns through serve (agent core 1, client core 0)" "$there" \
  "$(awk "BEGIN { print $rows / $there }")" "$(awk "BEGIN { print $here / $there }")"

echo
echo "* the balancer's own clock, from connecting to the shard's answer (the processes' start is not counted)"
echo "NTPAC Table 2 (online): 233, 407, 453 Mbps with 1, 2, 3 reassemblers; efficiency 453 / (3 x 233) = 0.65"
