#!/usr/bin/env python3
"""A cluster on loopback: one balancer and three reassemblers, each its own
process, over the tcp-remote transport.

- The three shards together hold exactly what one `run` of the same
  capture (generated with loss, duplicates and reordering) stores:
  conversations, HTTP, DNS, TLS and anomalies; with CURVE keys.
- A balancer whose key the reassembler does not know is refused, and so
  is one that does not know the reassembler's key: nothing reaches the
  reassembler, which says so.
- A reassembler stopped (SIGSTOP) for 3 s makes the balancer wait, and
  nothing is lost.
- A reassembler killed mid-run makes the balancer fail, naming the
  shard; the other shards store what they had, marked interrupted.
- SIGTERM on the balancer mid-run ends the whole cluster cleanly: every
  shard stores what it was sent, marked interrupted.
- Without keys, only loopback addresses are accepted.

- With ../shared/pcaps there: captures with IP fragments (complete,
  IPv6, never completed) give the same records through the cluster.

Usage: check-cluster.py ENGINE GENERATOR WORKDIR [PCAPS_DIR]
Prints TAP.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shardcheck  # noqa: E402

engine, generator, workdir = sys.argv[1:4]
pcaps = sys.argv[4] if len(sys.argv) > 4 else None
results = []
FRAGMENT_CAPTURES = (
    "frag_zeek_ipv4_fragmented_1.pcap",
    "frag_zeek_ipv6_fragmented_dns.pcap",
    "frag_ndpi_ipv4_garbage.pcap",
)
TIMEOUT = 120


def run(*args, **kwargs):
    return shardcheck.run(engine, *args, timeout=TIMEOUT, **kwargs)


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def start_reassemblers(name, n, keys):
    ports = free_ports(n)
    procs, dbs = [], []
    for k in range(n):
        db = os.path.join(workdir, f"{name}.node{k}.ntpac")
        shutil.rmtree(db, ignore_errors=True)
        args = [engine, "run", "-j", "1", "--listen", f"tcp://127.0.0.1:{ports[k]}", "--node", f"{k}/{n}", "-o", db]
        args += (["--curve-secret", keys["reassembler"] + ".key", "--curve-clients", keys["clients"]]
                 if keys else ["--insecure"])
        procs.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        dbs.append(db)
    time.sleep(0.3)
    return procs, dbs, [f"tcp://127.0.0.1:{p}" for p in ports]


def balancer_args(endpoints, keys, capture, secret=None, server=None):
    args = ["run", "--json"]
    for e in endpoints:
        args += ["--connect", e]
    if keys:
        args += ["--curve-secret", (secret or keys["balancer"]) + ".key",
                 "--curve-server", (server or keys["reassembler"]) + ".pub"]
    else:
        args += ["--insecure"]
    return args + [capture]


def finish(procs):
    out = []
    for p in procs:
        try:
            so, se = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            so, se = p.communicate()
        out.append((p.returncode, so, se))
    return out


def stats_state(db):
    done = run("stats", "--json", "-d", db)
    if done.returncode != 0:
        return None
    return json.loads(done.stdout.splitlines()[0]).get("state")


def check_equal(name, capture, single, keys):
    problems = []
    procs, dbs, endpoints = start_reassemblers(name, 3, keys)
    balancer = run(*balancer_args(endpoints, keys, capture))
    ends = finish(procs)
    if balancer.returncode != 0:
        problems.append(f"balancer exit {balancer.returncode}: {balancer.stderr.strip()[:400]}")
    for k, (status, _, err) in enumerate(ends):
        if status != 0:
            problems.append(f"reassembler {k} exit {status}: {err.strip()[:300]}")
    if not problems:
        summary = json.loads(balancer.stdout)
        if [s["state"] for s in summary["shards"]] != ["complete"] * 3:
            problems.append(f"shard states {[s['state'] for s in summary['shards']]}")
        problems += shardcheck.compare(engine, single, dbs)
        states = [stats_state(db) for db in dbs]
        if states != ["complete"] * 3:
            problems.append(f"the shards' databases say {states}")
        stats = run("stats", "-d", dbs[0], "-d", dbs[1], "-d", dbs[2])
        if "warning" in stats.stderr:
            problems.append(f"stats over the shards warns: {stats.stderr.strip()[:300]}")
    results.append((name, problems))
    return dbs


def check_wrong_keys(capture, keys):
    problems = []
    procs, dbs, endpoints = start_reassemblers("wrong-key", 1, keys)
    intruder = run(*balancer_args(endpoints, keys, capture, secret=keys["intruder"]))
    if intruder.returncode != 1 or "could not authenticate" not in intruder.stderr:
        problems.append(f"a balancer with an unknown key: exit {intruder.returncode}, {intruder.stderr.strip()[:300]}")
    blind = run(*balancer_args(endpoints, keys, capture, server=keys["intruder"]))
    if blind.returncode != 1 or "could not authenticate" not in blind.stderr:
        problems.append(f"a balancer with another server key: exit {blind.returncode}, {blind.stderr.strip()[:300]}")
    procs[0].send_signal(signal.SIGTERM)
    status, _, err = finish(procs)[0]
    if "Refused a peer" not in err or "is not among the keys" not in err:
        problems.append(f"the reassembler did not say whom it refused: {err.strip()[:300]}")
    if os.path.exists(dbs[0]):
        problems.append("the reassembler started a run for a refused balancer")
    if status != 128 + signal.SIGTERM:
        problems.append(f"the reassembler stopped while waiting exits {status}")
    insecure = run("run", "--connect", "tcp://192.0.2.1:5700", "--insecure", capture)
    if insecure.returncode != 1 or "not a loopback address" not in insecure.stderr:
        problems.append(f"--insecure to another machine: exit {insecure.returncode}, {insecure.stderr.strip()[:200]}")
    results.append(("wrong keys are refused", problems))


def wait_for_run(db, balancer):
    """Until the reassembler of DB has started its run (its database is
    made once the balancer said hello and named its inputs)."""
    deadline = time.monotonic() + 30
    while not os.path.exists(db) and balancer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


def check_stopped(capture, single):
    problems = []
    procs, dbs, endpoints = start_reassemblers("stopped", 3, None)
    balancer = subprocess.Popen([engine, *balancer_args(endpoints, None, capture)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_run(dbs[1], balancer)
    procs[1].send_signal(signal.SIGSTOP)
    time.sleep(3)
    procs[1].send_signal(signal.SIGCONT)
    so, se = balancer.communicate(timeout=TIMEOUT)
    ends = finish(procs)
    if balancer.returncode != 0 or any(e[0] != 0 for e in ends):
        problems.append(f"exit statuses: balancer {balancer.returncode} ({se.strip()[:200]}), "
                        f"reassemblers {[e[0] for e in ends]}")
    else:
        shard = json.loads(so)["shards"][1]
        if shard["stalled_ns"] < 1_000_000_000:
            problems.append(f"the balancer waited {shard['stalled_ns'] / 1e9:.2f} s for the stopped shard")
        problems += shardcheck.compare(engine, single, dbs)
    results.append(("a reassembler stopped for 3 s loses nothing", problems))


def check_killed(capture):
    problems = []
    procs, dbs, endpoints = start_reassemblers("killed", 3, None)
    balancer = subprocess.Popen([engine, *balancer_args(endpoints, None, capture)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_run(dbs[2], balancer)
    # Stopped first, so that the run cannot end before the kill: the
    # balancer waits for the shard's credits.
    procs[2].send_signal(signal.SIGSTOP)
    time.sleep(0.5)
    procs[2].kill()
    so, se = balancer.communicate(timeout=TIMEOUT)
    ends = finish(procs)
    if balancer.returncode != 1 or "Shard 2" not in se:
        problems.append(f"balancer exit {balancer.returncode}, said {se.strip()[:300]!r}")
    for k in (0, 1):
        if ends[k][0] != 1 or "interrupted" not in ends[k][2]:
            problems.append(f"surviving reassembler {k}: exit {ends[k][0]}, said {ends[k][2].strip()[:200]!r}")
        state = stats_state(dbs[k])
        if state != "interrupted":
            problems.append(f"surviving shard {k} says {state}")
    results.append(("a reassembler killed mid-run fails the run", problems))


def check_balancer_stopped(capture):
    problems = []
    procs, dbs, endpoints = start_reassemblers("balancer-stopped", 2, None)
    balancer = subprocess.Popen([engine, *balancer_args(endpoints, None, capture)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_run(dbs[1], balancer)
    # The shard held up, the balancer is surely mid-run when told to stop.
    procs[1].send_signal(signal.SIGSTOP)
    time.sleep(0.3)
    balancer.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    procs[1].send_signal(signal.SIGCONT)
    so, se = balancer.communicate(timeout=TIMEOUT)
    ends = finish(procs)
    if balancer.returncode != 128 + signal.SIGTERM:
        problems.append(f"balancer exit {balancer.returncode}: {se.strip()[:300]}")
    else:
        states = [s["state"] for s in json.loads(so)["shards"]]
        if states != ["interrupted", "interrupted"]:
            problems.append(f"the balancer says the shards are {states}")
    for k in range(2):
        state = stats_state(dbs[k])
        if state != "interrupted":
            problems.append(f"shard {k} says {state} (exit {ends[k][0]}: {ends[k][2].strip()[:200]!r})")
    results.append(("SIGTERM on the balancer stops the cluster cleanly", problems))


os.makedirs(workdir, exist_ok=True)
capture = os.path.join(workdir, "cluster.pcap")
subprocess.run([generator, "-o", capture, "--size", "12M", "--seed", "7", "--ipv6", "0.3",
                "--loss", "0.01", "--dup", "0.01", "--reorder", "0.02"], check=True, capture_output=True)
single = os.path.join(workdir, "single.ntpac")
shutil.rmtree(single, ignore_errors=True)
one = run("run", "--no-progress", "-o", single, capture)
if one.returncode != 0:
    print("1..0 # the single run failed: " + one.stderr.strip()[:200])
    sys.exit(1)

keydir = os.path.join(workdir, "keys")
shutil.rmtree(keydir, ignore_errors=True)
os.makedirs(os.path.join(keydir, "clients"))
keys = {"clients": os.path.join(keydir, "clients")}
for who in ("reassembler", "balancer", "intruder"):
    keys[who] = os.path.join(keydir, who)
    made = run("keygen", "-o", keys[who])
    if made.returncode != 0:
        print("1..0 # keygen failed: " + made.stderr.strip()[:200])
        sys.exit(1)
shutil.copy(keys["balancer"] + ".pub", keys["clients"])
if (os.stat(keys["balancer"] + ".key").st_mode & 0o777) != 0o600:
    results.append(("keygen", ["the secret key is readable by others"]))

check_equal("three shards with CURVE equal one run", capture, single, keys)
check_equal("three shards without keys on loopback equal one run", capture, single, None)
check_wrong_keys(capture, keys)
# Large enough that a stopped shard holds the balancer up: its share is
# many more batches than it has credits.
big = os.path.join(workdir, "big.pcap")
subprocess.run([generator, "-o", big, "--size", "40M", "--seed", "8", "--mix", "http=50,dns=20,tls=20,bulk=10"],
               check=True, capture_output=True)
big_single = os.path.join(workdir, "big.ntpac")
shutil.rmtree(big_single, ignore_errors=True)
run("run", "--no-progress", "-o", big_single, big)
check_stopped(big, big_single)
check_killed(big)
check_balancer_stopped(big)
for name in FRAGMENT_CAPTURES:
    path = os.path.join(pcaps or "", name)
    if pcaps and os.path.exists(path):
        whole = os.path.join(workdir, name + ".ntpac")
        shutil.rmtree(whole, ignore_errors=True)
        run("run", "--no-progress", "-o", whole, path)
        check_equal(name + " through three shards", path, whole, None)

print(f"1..{len(results)}")
for i, (name, problems) in enumerate(results, 1):
    print(f"{'not ok' if problems else 'ok'} {i} - {name}")
    for p in problems:
        print(f"# {p}")
if not pcaps or not os.path.isdir(pcaps):
    print("# ../shared/pcaps is missing: the captures with fragments were not checked")
shutil.rmtree(workdir, ignore_errors=True)
sys.exit(1 if any(p for _, p in results) else 0)
