#!/usr/bin/env python3
"""Every artifact of the traffic generator's ground truth is exported.

Generates captures with the generator (clean, and impaired: duplicates,
reordering, VLAN tags, IPv6; then loss on top), runs `ntpac-engine run`
with the default pipeline, and compares `query http|dns|tls|objects` with
FILE.truth.jsonl:

- every HTTP transaction, with method, uri, host, user agent, status,
  reason, content type, decoded body length and SHA-256; with loss, a
  transaction whose response lost bytes is never reported complete, and
  every body reported complete has the true SHA-256;
- every DNS message, with id, flags, question and answers;
- every TLS handshake's SNI, version, ALPN and certificate chain;
- `export-objects` writes every complete body under its SHA-256, and
  the file hashes to its name.

Usage: check-ground-truth.py ENGINE GENERATOR. Prints TAP.
"""
import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

ENGINE, GEN = sys.argv[1], sys.argv[2]
results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def run(*args):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode not in (0, 2):
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p.stdout


def query(db, kind):
    return [json.loads(line) for line in run(ENGINE, "query", "-d", db, kind).splitlines() if line]


def tuple_key(r):
    return (r["transport"], r["src"], int(r["sport"]), r["dst"], int(r["dport"]))


def load_truth(path):
    flows, items = {}, collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            if t["type"] == "flow":
                flows[t["flow"]] = t
            elif t["type"] in ("http", "dns", "tls"):
                items[t["type"]].append(t)
    return flows, items


def by_tuple(records):
    out = collections.defaultdict(list)
    for r in records:
        out[tuple_key(r)].append(r)
    return out


def flow_key(flow):
    return (flow["transport"], flow["src"], flow["sport"], flow["dst"], flow["dport"])


HTTP_FIELDS = ("method", "uri", "host", "user_agent", "status", "reason")


def compare_http(name, flows, truth, got, lossy):
    ours = by_tuple(got)
    missing, wrong, false_complete, checked = [], [], [], 0
    per_flow = collections.defaultdict(list)
    for t in truth:
        per_flow[t["flow"]].append(t)
    for flow_id, transactions in per_flow.items():
        flow = flows[flow_id]
        records = [r for r in ours.get(flow_key(flow), []) if "method" in r]
        if lossy and flow["up"]["missing_bytes"] > 0:
            # A request that lost bytes may be gone: only what is found is judged.
            transactions = []
        for t in transactions:
            match = next((r for r in records if r.get("uri") == t["uri"] and r.get("method") == t["method"]), None)
            if match is None:
                if not lossy or t["complete"]:
                    missing.append("%s %s %s" % (flow_key(flow), t["method"], t["uri"]))
                continue
            records.remove(match)
            checked += 1
            for field in HTTP_FIELDS:
                if match.get(field) != t[field] and not (lossy and not t["complete"] and field in ("status", "reason")):
                    wrong.append("%s %s: %s %r != %r" % (flow_key(flow), t["uri"], field, match.get(field), t[field]))
            if t["complete"]:
                if match.get("content_type") != t["content_type"]:
                    wrong.append("%s: content_type %r != %r" % (t["uri"], match.get("content_type"), t["content_type"]))
                if match.get("response_body_len") != t["response_body_len"]:
                    wrong.append("%s: response_body_len %r != %r" % (t["uri"], match.get("response_body_len"), t["response_body_len"]))
                if t["response_body_len"] > 0 and match.get("response_body_sha256") != t["response_body_sha256"]:
                    wrong.append("%s: sha256 %r != %r" % (t["uri"], match.get("response_body_sha256"), t["response_body_sha256"]))
                if match.get("body_complete") is not True:
                    wrong.append("%s: body_complete %r for a body sent whole" % (t["uri"], match.get("body_complete")))
            elif match.get("body_complete") is True:
                if match.get("response_body_sha256") != t["response_body_sha256"]:
                    false_complete.append("%s %s" % (flow_key(flow), t["uri"]))
    check("%s: every HTTP transaction found (%d checked)" % (name, checked), not missing, "; ".join(missing[:5]))
    check("%s: HTTP fields and body SHA-256 as sent" % name, not wrong, "; ".join(wrong[:5]))
    check("%s: no body that lost bytes is called complete" % name, not false_complete, "; ".join(false_complete[:5]))


def compare_dns(name, flows, truth, got):
    ours = by_tuple(got)
    missing, wrong = [], []
    for t in truth:
        flow = flows[t["flow"]]
        candidates = [r for r in ours.get(flow_key(flow), [])
                      if r.get("id") == t["id"] and r.get("is_response") == t["is_response"]]
        if not candidates:
            missing.append("%s id %d" % (flow_key(flow), t["id"]))
            continue
        r = candidates[0]
        for field in ("opcode", "rcode", "qname", "qtype"):
            if r.get(field) != t[field]:
                wrong.append("%s id %d: %s %r != %r" % (flow_key(flow), t["id"], field, r.get(field), t[field]))
        answers = [{k: a.get(k) for k in ("name", "type", "ttl", "data")} for a in r.get("answers") or []]
        if answers != t["answers"]:
            wrong.append("%s id %d: answers %r != %r" % (flow_key(flow), t["id"], answers, t["answers"]))
    check("%s: every DNS message found (%d)" % (name, len(truth)), not missing, "; ".join(missing[:5]))
    check("%s: DNS fields as sent" % name, not wrong, "; ".join(wrong[:5]))


CERT_FIELDS = ("subject", "issuer", "serial", "not_before", "not_after", "san", "sha256")


def compare_tls(name, flows, truth, got, lossy):
    ours = by_tuple(got)
    missing, wrong = [], []
    for t in truth:
        flow = flows[t["flow"]]
        if lossy and (flow["up"]["missing_bytes"] > 0 or flow["down"]["missing_bytes"] > 0):
            continue
        records = ours.get(flow_key(flow), [])
        if not records:
            missing.append(str(flow_key(flow)))
            continue
        r = records[0]
        if r.get("sni") != t["sni"]:
            wrong.append("%s: sni %r != %r" % (flow_key(flow), r.get("sni"), t["sni"]))
        if r.get("version") != t["version"]:
            wrong.append("%s: version %r != %r" % (flow_key(flow), r.get("version"), t["version"]))
        if r.get("alpn") != t["alpn"]:
            wrong.append("%s: alpn %r != %r" % (flow_key(flow), r.get("alpn"), t["alpn"]))
        certs = [{k: c.get(k) for k in CERT_FIELDS} for c in r.get("certificates") or []]
        if certs != t["certificates"]:
            wrong.append("%s: certificates %r != %r" % (flow_key(flow), certs, t["certificates"]))
    check("%s: every TLS handshake found (%d)" % (name, len(truth)), not missing, "; ".join(missing[:5]))
    check("%s: TLS SNI, version, ALPN and certificates as sent" % name, not wrong, "; ".join(wrong[:5]))


def check_export(name, db, work, http_truth):
    out = os.path.join(work, "objects")
    run(ENGINE, "export-objects", "-d", db, out)
    index = [json.loads(line) for line in open(os.path.join(out, "index.jsonl"))]
    bad = []
    for entry in index:
        if entry.get("file") is None:
            bad.append("%s not written" % entry["sha256"])
            continue
        data = open(os.path.join(out, entry["file"]), "rb").read()
        if entry["complete"] and hashlib.sha256(data).hexdigest() != entry["sha256"]:
            bad.append("%s hashes to something else" % entry["sha256"])
        if entry["complete"] and len(data) != entry["size"]:
            bad.append("%s: %d bytes, index says %d" % (entry["sha256"], len(data), entry["size"]))
    wanted = {t["response_body_sha256"] for t in http_truth if t["complete"] and t["response_body_len"] > 0}
    written = {e["sha256"] for e in index if e.get("file")}
    absent = sorted(wanted - written)
    check("%s: export-objects writes every complete body under its SHA-256 (%d)" % (name, len(wanted)),
          not bad and not absent, "; ".join(bad[:3] + ["missing %s" % s for s in absent[:3]]))


def scenario(name, work, gen_args, lossy):
    capture = os.path.join(work, name + ".pcap")
    db = os.path.join(work, name + ".db")
    subprocess.run([GEN, "-o", capture] + gen_args, check=True, capture_output=True)
    run(ENGINE, "run", "-o", db, capture)
    flows, truth = load_truth(capture + ".truth.jsonl")
    compare_http(name, flows, truth["http"], query(db, "http"), lossy)
    compare_dns(name, flows, truth["dns"], query(db, "dns"))
    compare_tls(name, flows, truth["tls"], query(db, "tls"), lossy)
    if not lossy:
        check_export(name, db, work, truth["http"])


def main():
    work = tempfile.mkdtemp(prefix="ntpac-truth-")
    try:
        scenario("clean", work, ["--size", "3M", "--seed", "11"], False)
        scenario("impaired", work, ["--size", "3M", "--seed", "12", "--dup", "0.02", "--reorder", "0.03",
                                    "--vlan", "--ipv6", "0.3", "--format", "pcapng", "--nanosecond"], False)
        scenario("lossy", work, ["--size", "3M", "--seed", "13", "--loss", "0.01", "--dup", "0.01",
                                 "--reorder", "0.02"], True)
    except Exception as e:  # a crash of the engine is a failure, not an error of the test
        check("the scenarios ran", False, str(e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            print("# " + detail)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
