#!/usr/bin/env python3
"""Every artifact tshark finds in the shared captures, we find.

For each capture of ../shared/pcaps (MANIFEST.tsv), runs `ntpac-engine run`
into a database of its own and compares `query http|dns|tls` with the
reference tables tshark made (reference/*.tsv, see reference/COMMANDS.md):

- http_requests (layer http): method, uri, host, user agent and version of
  every request;
- http_responses (layer http): status and content type of every response;
  an interim 1xx response is found in the transaction's `informational`;
- dns: id, QR flag, first question (name and numeric type), numeric rcode
  of responses and the A, AAAA and CNAME answers, in order;
- tls: the SNI of every ClientHello and, for every certificate, the CN of
  its subject and issuer and its serial (DER content, as hex).

Records are matched on the conversation's endpoints (either way round:
tshark names the sender) and the artifact's own key. Where we differ on
purpose, the difference is listed in KNOWN below with its reason (also in
tests/README.md); anything else fails. A capture we cannot read at all
must be one tshark cannot read either.

Usage: check-reference.py ENGINE PCAPS_DIR. Prints TAP; skips when the
folder is missing.
"""
import collections
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

ENGINE, PCAPS = sys.argv[1], sys.argv[2]

# Differences on purpose: file, table, frame, reason (artifact-differences.tsv
# beside this script; tests/README.md explains them). A difference not listed
# fails, and so does a listed one that no longer happens.
KNOWN = set()
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "artifact-differences.tsv")) as f:
    for line in f:
        if line.strip() and not line.startswith("#"):
            file, table, frame = line.rstrip("\n").split("\t")[:3]
            KNOWN.add((file, table, frame))

DNS_TYPES = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "NULL": 10, "WKS": 11, "PTR": 12, "HINFO": 13, "MX": 15,
    "TXT": 16, "RP": 17, "AFSDB": 18, "SIG": 24, "KEY": 25, "AAAA": 28, "LOC": 29, "NXT": 30, "SRV": 33,
    "NAPTR": 35, "KX": 36, "CERT": 37, "A6": 38, "DNAME": 39, "OPT": 41, "APL": 42, "DS": 43,
    "SSHFP": 44, "IPSECKEY": 45, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48, "DHCID": 49, "NSEC3": 50,
    "NSEC3PARAM": 51, "TLSA": 52, "SMIMEA": 53, "HIP": 55, "CDS": 59, "CDNSKEY": 60, "OPENPGPKEY": 61,
    "CSYNC": 62, "ZONEMD": 63, "SVCB": 64, "HTTPS": 65, "SPF": 99, "TKEY": 249, "TSIG": 250,
    "IXFR": 251, "AXFR": 252, "MAILB": 253, "MAILA": 254, "ANY": 255, "URI": 256, "CAA": 257,
}
DNS_RCODES = {
    "NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5, "YXDOMAIN": 6,
    "YXRRSET": 7, "NXRRSET": 8, "NOTAUTH": 9, "NOTZONE": 10, "DSOTYPENI": 11, "BADVERS": 16,
    "BADSIG": 16, "BADKEY": 17, "BADTIME": 18, "BADMODE": 19, "BADNAME": 20, "BADALG": 21,
    "BADTRUNC": 22, "BADCOOKIE": 23,
}


def type_number(name):
    if name is None:
        return None
    if name in DNS_TYPES:
        return DNS_TYPES[name]
    if name.upper().startswith("TYPE") and name[4:].isdigit():
        return int(name[4:])
    return name


def rcode_number(name):
    if name is None:
        return None
    if isinstance(name, int):
        return name
    if name in DNS_RCODES:
        return DNS_RCODES[name]
    if name.upper().startswith("RCODE") and name[5:].isdigit():
        return int(name[5:])
    return name


def read_tsv(name):
    path = os.path.join(PCAPS, "reference", name)
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        for k, v in row.items():
            if v is not None and "\\" in v:
                row[k] = v.replace("\\t", "\t").replace("\\r", "\r").replace("\\n", "\n").replace("\\\\", "\\")
    return rows


def ends(a, ap, b, bp):
    """Both endpoints, in no order; a port tshark left empty matches any."""
    return frozenset(((a, int(ap) if ap != "" else None), (b, int(bp) if bp != "" else None)))


def same_ends(row_ends, record_ends):
    if row_ends == record_ends:
        return True
    if all(port is not None for _, port in row_ends):
        return False
    return {ip for ip, _ in row_ends} == {ip for ip, _ in record_ends}


def rec_ends(r):
    return ends(r["src"], r["sport"], r["dst"], r["dport"])


def cns(dn):
    """The CN values of an RFC 4514 string, joined with | as the reference does."""
    if not dn:
        return ""
    parts, cur, esc = [], "", False
    for ch in dn:
        if esc:
            cur += ch
            esc = False
        elif ch == "\\":
            cur += ch
            esc = True
        elif ch in ",+":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    values = []
    for p in parts:
        p = p.strip()
        if p.upper().startswith("CN="):
            v = p[3:]
            out, i = "", 0
            while i < len(v):
                if v[i] == "\\" and i + 1 < len(v):
                    if i + 2 < len(v) and all(c in "0123456789abcdefABCDEF" for c in v[i + 1:i + 3]):
                        out += chr(int(v[i + 1:i + 3], 16))
                        i += 3
                        continue
                    out += v[i + 1]
                    i += 2
                    continue
                out += v[i]
                i += 1
            values.append(out)
    # RFC 4514 writes the most specific attribute first; X.509 order is the reverse.
    return "|".join(reversed(values))


def query(db, kind):
    p = subprocess.run([ENGINE, "query", "-d", db, kind], capture_output=True, text=True)
    if p.returncode != 0:
        return []
    return [json.loads(line) for line in p.stdout.splitlines() if line]


class Ours:
    def __init__(self, db):
        self.http = query(db, "http")
        self.dns = query(db, "dns")
        self.tls = query(db, "tls")


def compare_requests(file, rows, ours, problems):
    pool = collections.Counter()
    for r in ours.http:
        if "method" in r:
            pool[(rec_ends(r), r.get("method"), r.get("uri"))] += 1
    details = {}
    for r in ours.http:
        if "method" in r:
            details.setdefault((rec_ends(r), r.get("method"), r.get("uri")), []).append(r)
    for row in rows:
        key = (ends(row["src_ip"], row["src_port"], row["dst_ip"], row["dst_port"]), row["method"], row["uri"])
        if pool[key] <= 0:
            problems.append(("http_requests", row["frame"], "request %s %s not found" % (row["method"], row["uri"][:60])))
            continue
        pool[key] -= 1
        r = details[key][0]
        for ours_field, ref_field in (("host", "host"), ("user_agent", "user_agent"), ("version", "version")):
            value = r.get(ours_field) or ""
            # tshark gives an HTTP/0.9 request (no version on its line) none
            if ours_field == "version" and value == "HTTP/0.9" and row[ref_field] == "":
                value = ""
            if value != row[ref_field]:
                problems.append(("http_requests", row["frame"], "%s %r, tshark %r" % (ours_field, r.get(ours_field), row[ref_field])))


def compare_responses(file, rows, ours, problems):
    final = collections.Counter()
    interim = collections.Counter()
    types = collections.defaultdict(list)
    for r in ours.http:
        e = rec_ends(r)
        if r.get("status") is not None:
            final[(e, int(r["status"]))] += 1
            types[(e, int(r["status"]))].append(r.get("content_type") or "")
        for code in r.get("informational") or []:
            interim[(e, int(code))] += 1
    for row in rows:
        e = ends(row["src_ip"], row["src_port"], row["dst_ip"], row["dst_port"])
        code = int(row["status_code"])
        pool = interim if 100 <= code < 200 and code != 101 else final
        if pool[(e, code)] <= 0:
            problems.append(("http_responses", row["frame"], "response %d not found" % code))
            continue
        pool[(e, code)] -= 1
        if pool is final and row["content_type"] and row["content_type"] not in types[(e, code)]:
            problems.append(("http_responses", row["frame"], "content type %r not among %r" % (row["content_type"], types[(e, code)])))


def dns_answers(r):
    out = []
    for a in r.get("answers") or []:
        if a.get("type") in ("A", "AAAA", "CNAME"):
            out.append(str(a.get("data")))
    return ",".join(out)


def compare_dns(file, rows, ours, problems):
    # Rows with both ports first: a row without them (a message quoted in an
    # ICMP error) must not take a record a complete row matches exactly.
    rows = sorted(rows, key=lambda row: row["src_port"] == "" or row["dst_port"] == "")
    mine = collections.defaultdict(list)
    for r in ours.dns:
        mine[(rec_ends(r), r.get("transport"), int(r.get("id", -1)), bool(r.get("is_response")))].append(r)
    for row in rows:
        e = ends(row["src_ip"], row["src_port"], row["dst_ip"], row["dst_port"])
        key = next((k for k in mine if mine[k] and same_ends(e, k[0]) and k[1:] ==
                    (row["transport"], int(row["id"]), row["is_response"] == "1")), None)
        if key is None:
            problems.append(("dns", row["frame"], "dns id %s not found" % row["id"]))
            continue
        r = mine[key].pop(0)
        qname = r.get("qname")
        ref_qname = row["qname"]
        if ref_qname == "<Root>":
            ref_qname = ""
        if row["qname"] != "" or row["qtype"] != "":
            if (qname or "").rstrip(".") != ref_qname.rstrip("."):
                problems.append(("dns", row["frame"], "qname %r, tshark %r" % (qname, row["qname"])))
            if row["qtype"] and type_number(r.get("qtype")) != int(row["qtype"]):
                problems.append(("dns", row["frame"], "qtype %r, tshark %s" % (r.get("qtype"), row["qtype"])))
        # tshark shows the header's 4-bit RCODE; ours adds EDNS's upper bits
        # (BADCOOKIE is 23: 7 in the header, 1 in the OPT record).
        ours_rcode = rcode_number(r.get("rcode"))
        if row["rcode"] and (ours_rcode & 0xF if isinstance(ours_rcode, int) else ours_rcode) != int(row["rcode"]):
            problems.append(("dns", row["frame"], "rcode %r, tshark %s" % (r.get("rcode"), row["rcode"])))
        if dns_answers(r) != row["answers"]:
            problems.append(("dns", row["frame"], "answers %r, tshark %r" % (dns_answers(r), row["answers"])))


def compare_tls(file, rows, ours, problems):
    hellos = collections.Counter()
    chains = collections.defaultdict(list)
    for r in ours.tls:
        e = rec_ends(r)
        if r.get("sni") is not None or r.get("ja3") is not None:
            # after a HelloRetryRequest the client says hello twice
            hellos[(e, r.get("sni") or "")] += 2 if r.get("hello_retry") else 1
        for key in ("certificates", "client_certificates"):
            if r.get(key):
                chains[e].append(r[key])
    for row in rows:
        e = ends(row["src_ip"], row["src_port"], row["dst_ip"], row["dst_port"])
        if row["handshake"] == "client_hello":
            if hellos[(e, row["sni"])] <= 0:
                problems.append(("tls", row["frame"], "ClientHello sni %r not found" % row["sni"]))
            else:
                hellos[(e, row["sni"])] -= 1
            continue
        index = int(row["cert_index"])
        found = False
        for chain in chains[e]:
            if index < len(chain):
                c = chain[index]
                if (cns(c.get("subject")) == row["subject_cn"] and cns(c.get("issuer")) == row["issuer_cn"]
                        and (c.get("serial") or "").lower() == row["serial_hex"].lower()):
                    found = True
                    break
        if not found:
            seen = [(cns(ch[index].get("subject")), cns(ch[index].get("issuer")), ch[index].get("serial"))
                    for ch in chains[e] if index < len(ch)]
            problems.append(("tls", row["frame"], "certificate %d %r/%r/%s not found; ours %r" % (
                index, row["subject_cn"], row["issuer_cn"], row["serial_hex"], seen[:2])))


def main():
    if not os.path.isdir(PCAPS):
        print("1..0 # SKIP %s is missing" % PCAPS)
        return 0
    tables = {
        "http_requests": [r for r in read_tsv("http_requests.tsv") if r["layer"] == "http"],
        "http_responses": [r for r in read_tsv("http_responses.tsv") if r["layer"] == "http"],
        "dns": read_tsv("dns.tsv"),
        "tls": read_tsv("tls.tsv"),
    }
    compare = {
        "http_requests": compare_requests,
        "http_responses": compare_responses,
        "dns": compare_dns,
        "tls": compare_tls,
    }
    with open(os.path.join(PCAPS, "MANIFEST.tsv"), newline="") as f:
        files = [r["file"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    work = tempfile.mkdtemp(prefix="ntpac-reference-")
    results = []
    try:
        for i, file in enumerate(files):
            db = os.path.join(work, "%d.db" % i)
            p = subprocess.run([ENGINE, "run", "--no-progress", "-o", db, os.path.join(PCAPS, file)],
                               capture_output=True, text=True)
            wanted = {t: [r for r in rows if r["file"] == file] for t, rows in tables.items()}
            n_wanted = sum(len(v) for v in wanted.values())
            if p.returncode not in (0, 1, 2) or (p.returncode == 1 and n_wanted > 0):
                results.append((file, False, "exit %d: %s" % (p.returncode, p.stderr.strip()[-300:])))
                continue
            ours = Ours(db) if p.returncode != 1 else None
            problems = []
            for table, rows in wanted.items():
                if rows:
                    compare[table](file, rows, ours, problems)
            unexplained = ["%s frame %s: %s" % p for p in problems if (file, p[0], p[1]) not in KNOWN]
            happened = {(file, p[0], p[1]) for p in problems}
            stale = ["listed %s frame %s no longer differs" % (k[1], k[2])
                     for k in sorted(KNOWN) if k[0] == file and k not in happened]
            bad = unexplained + stale
            results.append((file + " (%d artifacts, %d differences explained)" % (n_wanted, len(problems) - len(unexplained)),
                            not bad, "; ".join(bad[:4]) + (" (and %d more)" % (len(bad) - 4) if len(bad) > 4 else "")))
            shutil.rmtree(db, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            print("# " + detail.replace("\n", " "))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
