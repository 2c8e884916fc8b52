#!/usr/bin/env python3
"""Every line of `query conversations --format jsonl` validates against
data/conversations.schema.json: on a generated capture with loss,
duplicates, reordering, VLANs and IPv6, cut into two inputs so that
conversations span them, and on the public capture corpus when it is
there. The schema itself is checked to reject lines that break it.

Usage: validate-conversations.py SCHEMA NTPAC-ENGINE NTPAC-GEN
Exit status 77 (skipped) when the jsonschema module is missing.
"""
import copy
import json
import os
import struct
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema is not installed")
    sys.exit(0)

schema_path, engine, gen = sys.argv[1:4]
with open(schema_path) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def split_pcap(path, first, second):
    """Writes the first half of the records of @path to @first and the
    rest to @second, each with the file header."""
    with open(path, "rb") as f:
        data = f.read()
    little = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    fmt = "<I" if little else ">I"
    records, at = [], 24
    while at + 16 <= len(data):
        caplen = struct.unpack_from(fmt, data, at + 8)[0]
        records.append(data[at:at + 16 + caplen])
        at += 16 + caplen
    half = len(records) // 2
    for out, part in ((first, records[:half]), (second, records[half:])):
        with open(out, "wb") as f:
            f.write(data[:24])
            f.writelines(part)


def query_lines(db):
    out = subprocess.run([engine, "query", "-d", db, "conversations", "--format", "jsonl"],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line]


def validate(name, lines):
    errors = []
    for line in lines:
        for e in validator.iter_errors(line):
            errors.append("%s: %s" % (line.get("conversation"), e.message))
    check("%s: %d conversations valid" % (name, len(lines)), len(lines) > 0 and not errors,
          "\n".join(errors[:10]))


with tempfile.TemporaryDirectory(prefix="ntpac-schema-") as tmp:
    capture = os.path.join(tmp, "impaired.pcap")
    subprocess.run([gen, "-o", capture, "--size", "3M", "--seed", "61", "--ipv6", "0.4",
                    "--vlan", "--loss", "0.01", "--dup", "0.01", "--reorder", "0.02"],
                   check=True, capture_output=True)
    part1, part2 = os.path.join(tmp, "part1.pcap"), os.path.join(tmp, "part2.pcap")
    split_pcap(capture, part1, part2)
    db = os.path.join(tmp, "generated.ntpac")
    subprocess.run([engine, "run", "-o", db, part1, part2], check=True, capture_output=True)
    lines = query_lines(db)
    validate("generated capture in two inputs", lines)
    check("some conversations span both inputs",
          any("frames_in_other_inputs" in line for line in lines))
    check("some conversations lost bytes", any(line["missing_bytes"] > 0 for line in lines))
    check("IPv4 and IPv6 endpoints",
          any(":" in line["src"] for line in lines) and any("." in line["src"] for line in lines))

    # The schema is not a formality: broken lines fail it.
    good = lines[0]
    broken = []
    for mutate in (lambda o: o.pop("missing_bytes"),
                   lambda o: o.update(extra=1),
                   lambda o: o.update(ts="2024-03-01 00:00:00"),
                   lambda o: o.update(src="10.0.0.300"),
                   lambda o: o.update(sport=70000),
                   lambda o: o.update(frames=[]),
                   lambda o: o.update(conversation="xyz"),
                   lambda o: o.update(transport="sctp")):
        o = copy.deepcopy(good)
        mutate(o)
        broken.append(o)
    check("the schema rejects broken lines",
          all(not validator.is_valid(o) for o in broken))

    corpus = os.environ.get("NTPAC_SHARED_PCAPS", "")
    if os.path.isdir(corpus):
        db = os.path.join(tmp, "corpus.ntpac")
        # Damaged inputs make the exit status 2; the results still count.
        r = subprocess.run([engine, "run", "-o", db, corpus], capture_output=True)
        check("the corpus run ends (status %d)" % r.returncode, r.returncode in (0, 2),
              r.stderr.decode(errors="replace")[-2000:])
        validate("public capture corpus", query_lines(db))
    else:
        results.append(("public capture corpus # SKIP %s is not there" % corpus, True, ""))

print("1..%d" % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    if not ok and detail:
        for line in detail.splitlines():
            print("# " + line)
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
