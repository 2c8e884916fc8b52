"""What the shard and cluster tests share: running the engine, reading
records back, and comparing the union of shards with one run."""
import collections
import json
import subprocess

KINDS = ("conversations", "http", "dns", "tls", "anomalies")


def run(engine, *args, **kwargs):
    return subprocess.run([engine, *args], capture_output=True, text=True, **kwargs)


def records(engine, dbs, kind):
    """Every record of KIND in DBS, as canonical JSON without its
    conversation id (which carries the node) and database, counted (a
    record stored twice counts twice)."""
    args = ["query"]
    for db in dbs:
        args += ["-d", db]
    done = run(engine, *args, kind)
    if done.returncode != 0:
        raise RuntimeError(f"query {kind} failed: {done.stderr.strip()}")
    out = collections.Counter()
    for line in done.stdout.splitlines():
        record = json.loads(line)
        record.pop("conversation", None)
        record.pop("db", None)
        out[json.dumps(record, sort_keys=True)] += 1
    return out


def compare(engine, single, shards):
    """Problems found comparing the shards' union with the single run."""
    problems = []
    for kind in KINDS:
        whole = records(engine, [single], kind)
        per_shard = [records(engine, [db], kind) for db in shards]
        union = sum(per_shard, collections.Counter())
        if union != whole:
            missing = whole - union
            extra = union - whole
            problems.append(f"{kind}: {sum(missing.values())} missing, {sum(extra.values())} extra "
                            f"(of {sum(whole.values())}); e.g. {next(iter(missing or extra))[:300]}")
        elif records(engine, shards, kind) != whole:
            problems.append(f"{kind}: the shards read together give another result than one by one")
        if (kind == "conversations" and len(shards) > 1 and sum(1 for s in per_shard if s) < 2
                and sum(whole.values()) >= 20):
            problems.append("conversations: one shard holds everything (the hash does not spread)")
    return problems
