#!/usr/bin/env python3
"""Generates a batch of synthetic pages, text dumps and HTML mixed, for
measuring boilerstrip at scale (throughput, peak memory) and for checking
that nothing is lost.

    python3 scripts/gen-batch.py OUT_DIR [--pages 100000] [--seed 1]
    python3 scripts/gen-batch.py OUT_DIR --pages 100000 --broken 0.01
    python3 scripts/gen-batch.py OUT_DIR --check target/release/boilerstrip

Each page has site chrome (menus, share rows, a newsletter prompt, a cookie
notice, related-story teasers, a footer) around an article of 4-12 paragraphs
made of random sentences; pages are spread over 1000 subfolders named like
hosts, half as .txt whole-page dumps and half as .html. Deterministic for a
given seed.

With --broken SHARE the batch is split: 80% files under OUT_DIR/pages (some
gzipped), 10% records in JSONL files under OUT_DIR/jsonl, 10% response
records in Common Crawl-style .warc.gz files (one gzip member per record)
under OUT_DIR/warc; SHARE of each part is broken, spread over the kinds of
breakage each can have (files: binary, invalid UTF-8, truncated .gz; JSONL
lines: invalid UTF-8, not JSON, no page field; WARC records: a corrupt gzip
member, a member cut off with the next one right after it, a Content-Length
300 bytes too long, no Content-Length). OUT_DIR/manifest.json says how many
inputs of each part there are and how many are broken.

--check BIN cleans the three parts with BIN (`/usr/bin/time -v`, 2 jobs) and
checks that outputs + reported failures = inputs, exactly, for each part;
it prints the counts, wall time and peak RSS, and exits 1 on a mismatch.
"""
import argparse
import gzip
import json
import pathlib
import random
import re
import subprocess
import sys
import zlib

WORDS = (
    "the council city river bridge plan vote board service train station water market school "
    "report year week month people residents officials budget project cost state federal court "
    "police health hospital weather season game team coach player company market price energy "
    "said told announced expected would could will after before during while because although "
    "new old first last local national public private major minor early late long short "
    "build open close approve reject delay expand reduce increase support oppose review"
).split()
MENU = ["Home", "News", "Local", "Sports", "Business", "Opinion", "Weather", "Obituaries", "Subscribe", "Sign In"]
CHROME = ["Share this post", "Tweet", "Email", "Advertisement", "Comments", "Subscribe", "Sign up"]
FOOTER = ["About Us", "Contact Us", "Privacy Policy", "Terms of Use"]


def sentence(rng):
    n = rng.randint(9, 28)
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def page(rng):
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 10))).title()
    paras = [" ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(4, 12))]
    teasers = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 9))).title() for _ in range(5)]
    return title, paras, teasers


def as_text(title, paras, teasers, rng):
    lines = [f"* {m}" for m in MENU] + ["", title, "", rng.choice(CHROME), ""]
    for p in paras:
        lines += [p, ""]
        if rng.random() < 0.2:
            lines += ["Advertisement", ""]
    lines += ["Share this post", "Be the first to know", "Subscribing...", "You've been subscribed!", "", "Related stories"]
    lines += [f"* {t}" for t in teasers]
    lines += ["", "This website uses cookies to improve your experience. Accept", ""]
    lines += [f"* {f}" for f in FOOTER] + ["© 2026 Example Media. All rights reserved."]
    return "\n".join(lines) + "\n"


def as_html(title, paras, teasers, rng):
    nav = "".join(f'<li><a href="/{m.lower()}/">{m}</a></li>' for m in MENU)
    body = "".join(f"<p>{p}</p>" for p in paras)
    rel = "".join(f'<li><a href="/s/{i}">{t}</a></li>' for i, t in enumerate(teasers))
    foot = "".join(f'<a href="/{f.lower()}">{f}</a> ' for f in FOOTER)
    script = "<script>var data = {" + ",".join(f'"k{i}": {i}' for i in range(rng.randint(50, 400))) + "};</script>"
    return (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{title}</title>{script}</head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"
        f'<div class="share"><a>Facebook</a> <a>Twitter</a></div>{body}'
        f'<div class="newsletter"><p>Sign up for our newsletter</p></div></article>'
        f'<aside><h3>Related stories</h3><ul>{rel}</ul></aside></main><footer>{foot}</footer></body></html>'
    )


def write_pages(out, n, broken, rng):
    """n files under out/pages; `broken` of them broken (three kinds)."""
    bad = sorted(rng.sample(range(n), broken))
    bad_kind = {i: ["binary", "utf8", "truncated-gz"][k % 3] for k, i in enumerate(bad)}
    for i in range(n):
        site = out / "pages" / f"www.site{i % 1000:03d}.example"
        site.mkdir(parents=True, exist_ok=True)
        title, paras, teasers = page(rng)
        html = bool(i % 2)
        data = (as_html if html else as_text)(title, paras, teasers, rng).encode("utf8")
        name = f"page{i:06d}." + ("html" if html else "txt")
        gz = i % 10 == 3
        kind = bad_kind.get(i)
        if kind:
            if kind == "binary":
                data, name, gz = data[:200] + b"\0\0\x01\x02" + data[200:], f"page{i:06d}.txt", False
            elif kind == "utf8":
                data, name, gz = data[:300] + b"caf\xe9 " + data[300:], f"page{i:06d}.txt", False
            else:
                packed = gzip.compress(mtime=0, data=data)
                (site / (name + ".gz")).write_bytes(packed[: len(packed) // 2])
                continue
        if gz:
            (site / (name + ".gz")).write_bytes(gzip.compress(mtime=0, data=data))
        else:
            (site / name).write_bytes(data)


def write_jsonl(out, n, broken, rng, per_file=1000):
    bad = sorted(rng.sample(range(n), broken))
    bad_kind = {i: k % 3 for k, i in enumerate(bad)}
    (out / "jsonl").mkdir(parents=True, exist_ok=True)
    f = None
    for i in range(n):
        if i % per_file == 0:
            if f:
                f.close()
            f = open(out / "jsonl" / f"part{i // per_file:04d}.jsonl", "wb")
        title, paras, teasers = page(rng)
        url = f"https://www.site{i % 1000:03d}.example/story/{i}"
        if i % 2:
            rec = {"id": f"r{i}", "url": url, "html": as_html(title, paras, teasers, rng)}
        else:
            rec = {"id": f"r{i}", "url": url, "text": as_text(title, paras, teasers, rng)}
        line = json.dumps(rec).encode("utf8")
        kind = bad_kind.get(i)
        if kind == 0:
            line = line[:60] + b"\xe9" + line[60:]
        elif kind == 1:
            line = line[: len(line) // 2]
        elif kind == 2:
            line = json.dumps({"id": f"r{i}", "url": url, "body": "no page field"}).encode()
        f.write(line + b"\n")
    if f:
        f.close()


def warc_record(kind, uri, block, rid):
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: 2026-11-30T12:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{rid}>\r\n"
        + (f"WARC-Target-URI: {uri}\r\n" if uri else "")
        + f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def write_warc(out, n, broken, rng, per_file=1000):
    bad = sorted(rng.sample(range(n), broken))
    bad_kind = {i: k % 4 for k, i in enumerate(bad)}
    (out / "warc").mkdir(parents=True, exist_ok=True)
    f = None
    for i in range(n):
        if i % per_file == 0:
            if f:
                f.close()
            f = open(out / "warc" / f"crawl{i // per_file:04d}.warc.gz", "wb")
            info = b"software: gen-batch.py\r\nformat: WARC File Format 1.0\r\n"
            f.write(gzip.compress(mtime=0, data=warc_record("warcinfo", None, info, rid=f"ffffffff-0000-0000-0000-{i:012d}")))
        title, paras, teasers = page(rng)
        html = as_html(title, paras, teasers, rng).encode("utf8")
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(html) + html
        uri = f"https://www.site{i % 1000:03d}.example/story/{i}"
        rec = warc_record("response", uri, http, rid=f"00000000-0000-0000-0000-{i:012d}")
        kind = bad_kind.get(i)
        if kind == 2:
            rec = rec.replace(b"Content-Length: %d\r\n\r\nHTTP" % len(http), b"Content-Length: %d\r\n\r\nHTTP" % (len(http) + 300), 1)
        elif kind == 3:
            rec = rec.replace(b"Content-Length: %d\r\n\r\nHTTP" % len(http), b"Content-Lenght: %d\r\n\r\nHTTP" % len(http), 1)
        member = gzip.compress(mtime=0, data=rec)
        if kind == 0:
            member = member[:30] + bytes(b ^ 0x5A for b in member[30:60]) + member[60:]
        elif kind == 1:
            member = member[: len(member) // 2]
        f.write(member)
    if f:
        f.close()


def generate(args):
    rng = random.Random(args.seed)
    out = pathlib.Path(args.out)
    if args.broken is None:
        for i in range(args.pages):
            site = out / f"www.site{i % 1000:03d}.example"
            site.mkdir(parents=True, exist_ok=True)
            title, paras, teasers = page(rng)
            if i % 2:
                (site / f"page{i:06d}.html").write_text(as_html(title, paras, teasers, rng), "utf8")
            else:
                (site / f"page{i:06d}.txt").write_text(as_text(title, paras, teasers, rng), "utf8")
        return
    parts = {"pages": args.pages * 8 // 10, "jsonl": args.pages // 10}
    parts["warc"] = args.pages - parts["pages"] - parts["jsonl"]
    broken = {k: round(v * args.broken) for k, v in parts.items()}
    write_pages(out, parts["pages"], broken["pages"], rng)
    write_jsonl(out, parts["jsonl"], broken["jsonl"], rng)
    write_warc(out, parts["warc"], broken["warc"], rng)
    manifest = {k: {"inputs": parts[k], "broken": broken[k]} for k in parts}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps(manifest))


def timed(cmd):
    """Runs cmd under /usr/bin/time -v: (stderr without time's report, seconds, peak RSS in KB)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, errors="replace")
    err = p.stderr
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", err).group(1)
    secs = sum(float(x) * 60**i for i, x in enumerate(reversed(wall.split(":"))))
    return err.split("\tCommand being timed")[0], secs, rss


def check(args):
    out = pathlib.Path(args.out)
    manifest = json.loads((out / "manifest.json").read_text())
    res = out.parent / (out.name + "-results")
    subprocess.run(["rm", "-rf", str(res)], check=True)
    res.mkdir()
    ok = True
    # Files: outputs in the tree + lines of failures.jsonl.
    err, secs, rss = timed([args.check, "clean", str(out / "pages"), "-o", str(res / "pages"), "-j", "2", "-q"])
    written = sum(1 for p in (res / "pages").rglob("*") if p.is_file() and p.name != "failures.jsonl")
    fl = res / "pages" / "failures.jsonl"
    failed = len(fl.read_text().splitlines()) if fl.exists() else 0
    ok &= report("pages", manifest["pages"], written, failed, secs, rss)
    for part, flag in (("jsonl", "--jsonl"), ("warc", "--warc")):
        inputs = sorted(str(p) for p in (out / part).iterdir())
        err, secs, rss = timed([args.check, "clean", flag] + inputs + ["-o", str(res / f"{part}.jsonl"), "-j", "2", "-q"])
        written = len((res / f"{part}.jsonl").read_text().splitlines())
        failed = sum(1 for l in err.splitlines() if l.startswith("failed: "))
        ok &= report(part, manifest[part], written, failed, secs, rss)
    sys.exit(0 if ok else 1)


def report(part, m, written, failed, secs, rss):
    good = written + failed == m["inputs"] and failed == m["broken"]
    print(
        f"{part:6} inputs {m['inputs']:6} (broken {m['broken']:4}): outputs {written:6} + failures {failed:4}"
        f" = {written + failed:6} {'ok' if good else 'MISMATCH'}; {secs:.1f} s, peak RSS {rss / 1024:.0f} MB"
    )
    return good


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--broken", type=float, default=None, metavar="SHARE")
    ap.add_argument("--check", metavar="BIN")
    args = ap.parse_args()
    if args.check:
        check(args)
    else:
        generate(args)


if __name__ == "__main__":
    main()
