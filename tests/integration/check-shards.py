#!/usr/bin/env python3
"""Shard runs over one capture hold together what a single run holds.

`run --shard K/N` for K = 0..N-1 over the same inputs must store, between
them, exactly the conversations (5-tuple, first and last timestamps,
frames, byte counts, missing bytes, protocol), the HTTP, DNS and TLS
records and the anomalies of one `run` of the same inputs, each exactly
once; only the conversation ids differ (they carry the node). Checked on
a generated capture with loss, duplicates and reordering, and on public
captures with fragments, tunnels and damage when ../shared/pcaps is there.

Usage: check-shards.py ENGINE GENERATOR WORKDIR [PCAPS_DIR]
Prints TAP.
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shardcheck  # noqa: E402

SHARED_CAPTURES = (
    "frag_zeek_ipv4_fragmented_1.pcap",   # IPv4 fragments
    "frag_zeek_ipv6_fragmented_dns.pcap",  # IPv6 fragments
    "frag_ndpi_ipv4_garbage.pcap",         # fragments that never complete
    "encap_zeek_gre_sample.pcap",          # tunnels, ICMP, anomalies
    "corrupt_ndpi_malformed_dns.pcap",     # malformed packets
    "mixed_ndpi_1kxun.pcap",               # many flows, duplicates
)

engine, generator, workdir = sys.argv[1:4]
pcaps = sys.argv[4] if len(sys.argv) > 4 else None
results = []


def run(*args):
    return shardcheck.run(engine, *args)


def check(name, capture, n):
    single = os.path.join(workdir, name + ".ntpac")
    shards = [os.path.join(workdir, f"{name}.{k}of{n}.ntpac") for k in range(n)]
    for db in [single] + shards:
        shutil.rmtree(db, ignore_errors=True)
    first = run("run", "-j", "2", "--no-progress", "-o", single, capture)
    statuses = [run("run", "-j", "1", "--no-progress", "--shard", f"{k}/{n}",
                    "-o", shards[k], capture).returncode for k in range(n)]
    problems = []
    if any(s != first.returncode for s in statuses):
        problems.append(f"exit statuses {statuses} differ from the single run's {first.returncode}")
    problems += shardcheck.compare(engine, single, shards)
    if n == 3 and name.startswith("generated"):
        problems += check_merge(single, shards)
    for db in [single] + shards:
        shutil.rmtree(db, ignore_errors=True)
    results.append((name, problems))


def check_merge(single, shards):
    """What reading shards together says: where each row came from, a
    database named twice read once, and stats warning of missing shards."""
    problems = []
    twice = run("query", "-d", shards[0], "-d", shards[0], "dns")
    once = run("query", "-d", shards[0], "dns")
    if twice.stdout != once.stdout:
        problems.append("a database given twice is not read once")
    merged = run("query", "-d", shards[0], "-d", shards[1], "conversations")
    dbs = {json.loads(line).get("db") for line in merged.stdout.splitlines()}
    if dbs != {shards[0], shards[1]}:
        problems.append(f"merged rows name the databases {sorted(map(str, dbs))}")
    if any("\"db\"" in line for line in once.stdout.splitlines()):
        problems.append("a single database's rows carry a db field")
    whole = run("stats", "-d", shards[0], "-d", shards[1], "-d", shards[2])
    if whole.returncode != 0 or "warning" in whole.stderr or whole.stdout.count("shard ") != 3:
        problems.append(f"stats over every shard: {whole.stderr.strip()!r}")
    part = run("stats", "-d", shards[0], "-d", shards[2])
    if "Shard 1 of 3 is absent" not in part.stderr:
        problems.append(f"stats without shard 1 does not say so: {part.stderr.strip()!r}")
    mixed = run("stats", "-d", shards[0], "-d", single)
    if "Shard 1 of 3 is absent" not in mixed.stderr or "Shard 2 of 3 is absent" not in mixed.stderr:
        problems.append("stats over one shard and a whole run does not list the missing shards")
    return problems


os.makedirs(workdir, exist_ok=True)
generated = os.path.join(workdir, "impaired.pcap")
subprocess.run([generator, "-o", generated, "--size", "6M", "--seed", "11", "--ipv6", "0.3",
                "--loss", "0.01", "--dup", "0.01", "--reorder", "0.02"],
               check=True, capture_output=True)
check("generated-3-shards", generated, 3)
check("generated-1-shard", generated, 1)
if pcaps and os.path.isdir(pcaps):
    for capture in SHARED_CAPTURES:
        path = os.path.join(pcaps, capture)
        if os.path.exists(path):
            check(capture, path, 3)

print(f"1..{len(results)}")
for i, (name, problems) in enumerate(results, 1):
    if problems:
        print(f"not ok {i} - {name}")
        for p in problems:
            print(f"# {p}")
    else:
        print(f"ok {i} - {name}")
if not pcaps or not os.path.isdir(pcaps):
    print("# ../shared/pcaps is missing: only the generated capture was checked")
sys.exit(1 if any(p for _, p in results) else 0)
