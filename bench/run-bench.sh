#!/usr/bin/env bash
# Throughput and peak memory of ntpac-engine, stage by stage (the rows of
# the NTPAC paper's Table 1, and the same with the store), against tcpdump
# (read limit) and tcpflow (reassembly) on the same file in the same run.
# Runs with the store also report the database's size against the
# capture's. Last, the whole pipeline and tshark on a generated DNS-only
# capture: many small records rather than many bytes, written by `run`
# and read back by `query`.
#
#   bench/run-bench.sh [--size 1G] [--runs 3] [--jobs 2] [--build _build] [FILE]
#
# Without FILE a capture of --size is generated with ntpac-gen (seed 1) in
# $TMPDIR and kept for later runs. Throughput is capture-file bytes x 8 /
# wall seconds, best of --runs with the page cache warm; memory is peak RSS.
set -euo pipefail

size=1G
runs=3
jobs=2
build=_build
file=

while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) echo "run-bench.sh: unknown option $1" >&2; exit 1 ;;
    *) file=$1; shift ;;
  esac
done

engine=$build/core/cli/ntpac-engine
gen=$build/bench/ntpac-gen
[ -x "$engine" ] || { echo "run-bench.sh: $engine not built (meson compile -C $build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "run-bench.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

if [ -z "$file" ]; then
  file=${TMPDIR:-/tmp}/ntpac-bench-$size.pcap
  if [ ! -s "$file" ]; then
    echo "generating $file ($size, seed 1)..."
    "$gen" -o "$file" --size "$size" --seed 1 >/dev/null
  fi
fi

bytes=$(stat -c %s "$file")
cat "$file" > /dev/null   # warm the page cache

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "file:    $file ($bytes bytes)"
echo "runs:    best of $runs"
echo

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best_of NAME CMD...: runs CMD $runs times, keeps the fastest; prints
# "seconds peak_kib".
best_of () {
  local name=$1 best= best_rss=
  shift
  for _ in $(seq "$runs"); do
    rm -rf "$tmp/flows" "$tmp/db"; mkdir -p "$tmp/flows"
    sync  # no writeback of an earlier run's files during this one
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || {
      echo "run-bench.sh: $name failed:" >&2; cat "$tmp/err" >&2; exit 1; }
    read -r secs rss < "$tmp/time"
    if [ -z "$best" ] || awk "BEGIN { exit !($secs < $best) }"; then
      best=$secs best_rss=$rss
    fi
  done
  echo "$best $best_rss"
}

declare -a rows
reference=

row () {
  local name=$1 result=$2
  local secs=${result% *} rss=${result#* }
  local mbps ratio=""
  mbps=$(awk "BEGIN { printf \"%.0f\", $bytes * 8 / ($secs > 0 ? $secs : 0.001) / 1e6 }")
  if [ -n "$reference" ]; then
    ratio=$(awk "BEGIN { printf \"%.2fx\", $mbps / $reference }")
  fi
  printf '%-44s %8.2f s %9s Mbps %8.1f MiB %8s\n' "$name" "$secs" "$mbps" "$(awk "BEGIN { print $rss / 1024 }")" "$ratio"
}

printf '%-44s %10s %14s %12s %8s\n' stage time throughput "peak RSS" "vs tcpdump"
if command -v tcpdump >/dev/null; then
  r=$(best_of tcpdump tcpdump -r "$file" -w /dev/null)
  reference=$(awk "BEGIN { printf \"%.3f\", $bytes * 8 / ${r% *} / 1e6 }")
  row "tcpdump -r FILE -w /dev/null" "$r"
fi
row "read (1 core)" "$(best_of read "$engine" run --no-hash --stage read -j 1 "$file")"
row "read + parse (1 core)" "$(best_of parse "$engine" run --no-hash --stage parse -j 1 "$file")"
row "read + parse + SHA-256 (run --json)" "$(best_of hash "$engine" run --json --stage parse "$file")"
row "L7 conversation tracking (-j $jobs)" "$(best_of track "$engine" run --no-hash --stage track -j "$jobs" "$file")"
row "L7 conversation tracking + SHA-256 (-j $jobs)" "$(best_of track-hash "$engine" run --stage track -j "$jobs" "$file")"
store_row () {
  local name=$1
  shift
  row "$name" "$(best_of store "$@")"
  printf '%-44s %s for %s of capture (%s)\n' "  database size" \
    "$(du -sh "$tmp/db" | cut -f1)" "$(numfmt --to=iec "$bytes")" \
    "$(awk "BEGIN { printf \"%.0f%%\", $(du -sb "$tmp/db" | cut -f1) * 100 / $bytes }")"
}
# Pipelines for the stages: no dissectors; HTTP and DNS (the paper's last
# row); the default one (HTTP, DNS, TLS) is what `run` does.
printf 'pipeline: bench-no-dissectors\ndissectors: []\n' > "$tmp/bare.yaml"
printf 'pipeline: bench-http-dns\ndissectors:\n  - feature: http\n  - feature: dns\n' > "$tmp/http-dns.yaml"
store_row "tracking + store, no SHA-256 (-j $jobs)" "$engine" run -c "$tmp/bare.yaml" --no-hash -j "$jobs" -o "$tmp/db" "$file"
store_row "tracking + store + SHA-256 (-j $jobs)" "$engine" run -c "$tmp/bare.yaml" -j "$jobs" -o "$tmp/db" "$file"
row "HTTP & DNS extraction, no store (-j $jobs)" \
  "$(best_of http-dns "$engine" run -c "$tmp/http-dns.yaml" --no-hash --stage dissect -j "$jobs" "$file")"
store_row "run: HTTP+DNS+TLS + store + SHA-256 (-j $jobs)" "$engine" run -j "$jobs" -o "$tmp/db" "$file"
if command -v tshark >/dev/null; then
  # tshark is far slower: one run. Its fields are the artifacts we store.
  saved_runs=$runs
  runs=1
  row "tshark -Y 'http or dns or tls.handshake'" "$(best_of tshark tshark -n -r "$file" \
    -Y 'http or dns or tls.handshake' -T fields -e frame.number -e http.host -e http.request.uri \
    -e http.response.code -e dns.qry.name -e dns.a -e tls.handshake.extensions_server_name \
    -e x509sat.uTF8String)"
  runs=$saved_runs
fi
if command -v tcpflow >/dev/null; then
  row "tcpflow -r FILE -o DIR" "$(best_of tcpflow tcpflow -r "$file" -o "$tmp/flows")"
fi

# Many small records: a DNS-only capture (422 K messages in 191 K UDP
# conversations), the whole pipeline against tshark on the same file.
dns_file=$tmp/dns-only.pcap
"$gen" -o "$dns_file" --size 50M --seed 3 --mix dns=1 >/dev/null
cat "$dns_file" > /dev/null
saved_bytes=$bytes
saved_reference=$reference
bytes=$(stat -c %s "$dns_file")
reference=
echo
echo "DNS-only capture ($(numfmt --to=iec "$bytes"), ntpac-gen --size 50M --seed 3 --mix dns=1):"
row "run: HTTP+DNS+TLS + store + SHA-256 (-j $jobs)" "$(best_of dns-run "$engine" run -j "$jobs" -o "$tmp/db" "$dns_file")"
# Reading it back: every DNS message as JSON lines.
"$engine" run -j "$jobs" -o "$tmp/dns-db" "$dns_file" >/dev/null
row "query -d DB dns --format jsonl" "$(best_of dns-query "$engine" query -d "$tmp/dns-db" dns --format jsonl)"
if command -v tshark >/dev/null; then
  saved_runs=$runs
  runs=1
  row "tshark -Y dns -T fields" "$(best_of tshark-dns tshark -n -r "$dns_file" -Y dns -T fields \
    -e frame.number -e dns.qry.name -e dns.a)"
  runs=$saved_runs
fi
bytes=$saved_bytes
reference=$saved_reference
