#!/usr/bin/env python3
"""Query agents: `serve` over shard databases, `query -d tcp://…`.

- Queries through three agents (with CURVE keys) give the rows of the
  same query on the three folders, in the same order, every kind and
  with filters; agents and local folders mix; an agent without keys on
  loopback answers the same.
- Many clients at once are all answered.
- A client with an unknown key is refused, and says so; the agent says
  whom it refused.
- An agent killed mid-query is a clear error naming it; with --partial
  the other agents' rows still come and the output says which did not.
- A query error on the agent (an unknown field) comes back to the client.

Usage: check-serve.py ENGINE GENERATOR WORKDIR
Prints TAP.
"""
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

engine, generator, workdir = sys.argv[1:4]
results = []
TIMEOUT = 120


def run(*args, text=True):
    return subprocess.run([engine, *args], capture_output=True, text=text, timeout=TIMEOUT)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_agent(dbs, keys=None):
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    args = [engine, "serve", "--listen", endpoint]
    for db in dbs:
        args += ["-d", db]
    args += ["--curve-secret", keys["agent"] + ".key", "--curve-clients", keys["clients"]] if keys else ["--insecure"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    return proc, endpoint


def without_db(text):
    out = []
    for line in text.splitlines():
        record = json.loads(line)
        record.pop("db", None)
        out.append(json.dumps(record, sort_keys=True))
    return out


os.makedirs(workdir, exist_ok=True)
capture = os.path.join(workdir, "serve.pcap")
subprocess.run([generator, "-o", capture, "--size", "8M", "--seed", "21", "--loss", "0.01"],
               check=True, capture_output=True)
shards = [os.path.join(workdir, f"shard{k}.ntpac") for k in range(3)]
for k, db in enumerate(shards):
    shutil.rmtree(db, ignore_errors=True)
    made = run("run", "--no-progress", "--shard", f"{k}/3", "-o", db, capture)
    assert made.returncode == 0, made.stderr

keydir = os.path.join(workdir, "keys")
shutil.rmtree(keydir, ignore_errors=True)
os.makedirs(os.path.join(keydir, "clients"))
keys = {"clients": os.path.join(keydir, "clients")}
for who in ("agent", "client", "intruder"):
    keys[who] = os.path.join(keydir, who)
    run("keygen", "-o", keys[who])
shutil.copy(keys["client"] + ".pub", keys["clients"])

agents = [start_agent([shards[0]], keys), start_agent([shards[1]], keys), start_agent([shards[2]], keys)]
remote = []
for _, endpoint in agents:
    remote += ["-d", endpoint]
client_keys = ["--curve-secret", keys["client"] + ".key", "--curve-server", keys["agent"] + ".pub",
               "--curve-server", keys["agent"] + ".pub", "--curve-server", keys["agent"] + ".pub"]
local = []
for db in shards:
    local += ["-d", db]

# Through the agents as on the folders.
problems = []
for kind, filters in (("conversations", []), ("http", []), ("dns", []), ("tls", []), ("inputs", []),
                      ("anomalies", []), ("conversations", ["--port", "53"]),
                      ("http", ["--where", "status=200"]), ("dns", ["--limit", "7"])):
    there = run("query", *remote, *client_keys, kind, *filters)
    here = run("query", *local, kind, *filters)
    if there.returncode != 0 or here.returncode != 0:
        problems.append(f"{kind} {filters}: exit {there.returncode} ({there.stderr.strip()[:200]}), local {here.returncode}")
    elif without_db(there.stdout) != without_db(here.stdout):
        problems.append(f"{kind} {filters}: {len(there.stdout.splitlines())} rows through the agents, "
                        f"{len(here.stdout.splitlines())} on the folders, or another order")
    elif there.stdout and not all(json.loads(line)["db"].startswith("tcp://127.0.0.1:")
                                  for line in there.stdout.splitlines()):
        problems.append(f"{kind}: rows from agents do not name the agent")
mixed = run("query", "-d", agents[0][1], "-d", shards[1], "-d", agents[2][1], *client_keys[:2],
            "--curve-server", keys["agent"] + ".pub", "--curve-server", keys["agent"] + ".pub", "http")
here = run("query", *local, "http")
if mixed.returncode != 0 or without_db(mixed.stdout) != without_db(here.stdout):
    problems.append(f"agents and folders mixed: exit {mixed.returncode}: {mixed.stderr.strip()[:200]}")
table = run("query", *remote, *client_keys, "dns", "--format", "tsv")
if table.returncode != 0 or table.stdout.splitlines()[0].split("\t")[-1] != "db":
    problems.append(f"tsv through agents: {table.stderr.strip()[:200]}")
open_agent, open_endpoint = start_agent([shards[0]])
plain = run("query", "-d", open_endpoint, "--insecure", "dns")
if plain.returncode != 0 or without_db(plain.stdout) != without_db(run("query", "-d", shards[0], "dns").stdout):
    problems.append(f"an agent without keys: exit {plain.returncode}: {plain.stderr.strip()[:200]}")
open_agent.send_signal(signal.SIGTERM)
open_agent.communicate(timeout=TIMEOUT)
results.append(("queries through agents equal the folders", problems))

# Many clients at once.
problems = []
clients = [subprocess.Popen([engine, "query", *remote, *client_keys, kind, "--count"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
           for kind in ("http", "dns", "conversations") * 3]
counts = [(c.communicate(timeout=TIMEOUT), c.returncode) for c in clients]
expected = {kind: run("query", *local, kind, "--count").stdout for kind in ("http", "dns", "conversations")}
for (out, status), kind in zip(counts, ("http", "dns", "conversations") * 3):
    if status != 0 or out[0] != expected[kind]:
        problems.append(f"{kind} --count at once: exit {status}, {out[0].strip()!r} for {expected[kind].strip()!r}: "
                        f"{out[1].strip()[:200]}")
results.append(("many clients at once are all answered", problems))

# Stats through the agents: the same counts, and the shard warnings.
problems = []
there = run("stats", *remote, *client_keys, "--json")
here = run("stats", *local, "--json")
if there.returncode != 0 or here.returncode != 0:
    problems.append(f"stats: exit {there.returncode} ({there.stderr.strip()[:200]}), local {here.returncode}")
else:
    def counts(text):
        out = []
        for line in text.splitlines():
            record = json.loads(line)
            record.pop("path", None)
            record.pop("database", None)
            out.append(json.dumps(record, sort_keys=True))
        return out
    if counts(there.stdout) != counts(here.stdout):
        problems.append(f"stats through the agents differ from the folders:\n{there.stdout[:400]}\n{here.stdout[:400]}")
    names = [json.loads(line).get("path", json.loads(line).get("database")) for line in there.stdout.splitlines()]
    if len(names) != 3 or not all(str(n).startswith("tcp://127.0.0.1:") for n in names):
        problems.append(f"stats through agents do not name the agents: {names}")
two = run("stats", "-d", agents[0][1], "-d", agents[2][1], *client_keys[:4])
if two.returncode != 0 or "Shard 1 of 3 is absent" not in two.stderr:
    problems.append(f"two of three shards through agents: exit {two.returncode}, no warning of the missing shard: "
                    f"{(two.stderr + two.stdout).strip()[-300:]}")
results.append(("stats through agents equal the folders", problems))

# Carve through the agents: the same bytes as on the folders.
problems = []
ids = []
for db in (shards[2], shards[0]):
    rows = run("query", "-d", db, "conversations", "--limit", "40").stdout.splitlines()
    ids.append(max((json.loads(line) for line in rows), key=lambda r: len(r["frames"]))["conversation"])
for n, cid in enumerate(ids):
    here_file = os.path.join(workdir, f"carve-here{n}.pcap")
    there_file = os.path.join(workdir, f"carve-there{n}.pcap")
    here = run("carve", *local, "--conversation", cid, "-w", here_file)
    there = run("carve", *remote, *client_keys, "--conversation", cid, "-w", there_file)
    piped = run("carve", *remote, *client_keys, "--conversation", cid, "-w", "-", text=False)
    if here.returncode != 0 or there.returncode != 0:
        problems.append(f"carve {cid}: exit {there.returncode} ({there.stderr.strip()[:200]}), local {here.returncode}")
    elif open(here_file, "rb").read() != open(there_file, "rb").read() or piped.stdout != open(here_file, "rb").read():
        problems.append(f"carve {cid} through the agents: {os.path.getsize(there_file)} bytes, "
                        f"{len(piped.stdout)} piped, {os.path.getsize(here_file)} on the folders")
    elif here.stderr.split(":")[1] != there.stderr.split(":")[1]:
        problems.append(f"carve {cid}: {there.stderr.strip()!r} for {here.stderr.strip()!r}")
absent = run("carve", *remote, *client_keys, "--conversation", "0" * 32, "-w", os.path.join(workdir, "none.pcap"))
if absent.returncode != 1 or "No conversation" not in absent.stderr or os.path.exists(os.path.join(workdir, "none.pcap")):
    problems.append(f"an absent conversation: exit {absent.returncode}, {absent.stderr.strip()[:200]}")
results.append(("carve through agents equals the folders", problems))

# Export the objects through the agents: the same index and files.
problems = []
def exported(*dbs):
    outdir = os.path.join(workdir, f"objects-{len(os.listdir(workdir))}")
    done = run("export-objects", *dbs, outdir)
    if done.returncode != 0:
        return done, None, None
    lines = sorted(open(os.path.join(outdir, "index.jsonl")).read().splitlines())
    files = {name: hashlib.sha256(open(os.path.join(outdir, name), "rb").read()).hexdigest()
             for name in os.listdir(outdir) if name != "index.jsonl"}
    return done, lines, files
here = exported(*local)
for label, dbs in (("agents", [*remote, *client_keys]),
                   ("agents and a folder", ["-d", shards[0], "-d", agents[1][1], "-d", agents[2][1],
                                            *client_keys[:2], "--curve-server", keys["agent"] + ".pub"])):
    there = exported(*dbs)
    if there[1] is None or here[1] is None:
        problems.append(f"export-objects through {label}: exit {there[0].returncode}: {there[0].stderr.strip()[:200]}")
    elif there[1] != here[1] or there[2] != here[2]:
        problems.append(f"export-objects through {label}: {len(there[1])} lines and {len(there[2])} files, "
                        f"{len(here[1])} and {len(here[2])} on the folders")
    elif not here[2] or any(name != digest for name, digest in here[2].items()):
        problems.append(f"export-objects: no objects, or one not named by its SHA-256: {list(here[2])[:3]}")
results.append(("export-objects through agents equals the folders", problems))

# Clients that ask two agents in opposite orders: each agent must go on
# answering one while the other has not read (it waits for the other
# agent's first rows), or the four wait on each other for ever.
problems = []
dns_capture = os.path.join(workdir, "dns.pcap")
dns_db = os.path.join(workdir, "dns.ntpac")
subprocess.run([generator, "-o", dns_capture, "--size", "2M", "--seed", "5", "--mix", "http=0,dns=1,tls=0,bulk=0"],
               check=True, capture_output=True)
shutil.rmtree(dns_db, ignore_errors=True)
assert run("run", "--no-progress", "-o", dns_db, dns_capture).returncode == 0
crossed = [start_agent([dns_db]), start_agent([dns_db])]
expected = 2 * int(run("query", "-d", dns_db, "dns", "--count").stdout)
if expected < 2 * 8 * 512:
    problems.append(f"the DNS capture holds {expected // 2} records, too few to fill the agents' credits")
orders = [(crossed[0][1], crossed[1][1]), (crossed[1][1], crossed[0][1])] * 2
pairs = [subprocess.Popen([engine, "query", "-d", first, "-d", second, "--insecure", "dns", "--count"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for first, second in orders]
for proc in pairs:
    try:
        out, err = proc.communicate(timeout=60)
        if proc.returncode != 0 or int(out or 0) != expected:
            problems.append(f"crossed query: exit {proc.returncode}, {out.strip()!r} for {expected}: {err.strip()[:200]}")
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        problems.append("crossed queries wait on each other (no answer in 60 s)")
for proc, _ in crossed:
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=TIMEOUT)
results.append(("clients crossing two agents are all answered", problems))

# Keys.
problems = []
intruder = run("query", "-d", agents[0][1], "--curve-secret", keys["intruder"] + ".key",
               "--curve-server", keys["agent"] + ".pub", "dns")
if intruder.returncode != 1 or "could not authenticate" not in intruder.stderr or intruder.stdout:
    problems.append(f"an unknown client key: exit {intruder.returncode}, {intruder.stderr.strip()[:200]}")
error = run("query", *remote, *client_keys, "http", "--where", "nosuch=1")
if error.returncode != 1 or "nosuch" not in error.stderr or agents[0][1] not in error.stderr:
    problems.append(f"an error on the agent: exit {error.returncode}, {error.stderr.strip()[:200]}")
results.append(("keys are checked, and errors come back", problems))

# An agent killed mid-query.
problems = []
agents[1][0].send_signal(signal.SIGSTOP)
late = subprocess.Popen([engine, "query", *remote, *client_keys, "conversations"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
partial = subprocess.Popen([engine, "query", *remote, *client_keys, "--partial", "conversations"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(1)
agents[1][0].kill()
so, se = late.communicate(timeout=TIMEOUT)
if late.returncode != 1 or agents[1][1] not in se:
    problems.append(f"without --partial: exit {late.returncode}, {se.strip()[:300]!r}")
so, se = partial.communicate(timeout=TIMEOUT)
alone = run("query", "-d", shards[0], "-d", shards[2], "conversations")
if partial.returncode != 1 or "did not answer" not in se or agents[1][1] not in se:
    problems.append(f"--partial: exit {partial.returncode}, {se.strip()[:300]!r}")
elif without_db(so) != without_db(alone.stdout):
    problems.append(f"--partial gave {len(so.splitlines())} rows, the two others hold {len(alone.stdout.splitlines())}")
results.append(("an agent killed mid-query is named", problems))

for proc, _ in agents:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
ends = [proc.communicate(timeout=TIMEOUT) for proc, _ in agents]
if "Refused a peer" not in ends[0][1]:
    results.append(("the agent says whom it refused", [ends[0][1].strip()[:300]]))

print(f"1..{len(results)}")
for i, (name, problems) in enumerate(results, 1):
    print(f"{'not ok' if problems else 'ok'} {i} - {name}")
    for p in problems:
        print(f"# {p}")
shutil.rmtree(workdir, ignore_errors=True)
sys.exit(1 if any(p for _, p in results) else 0)
