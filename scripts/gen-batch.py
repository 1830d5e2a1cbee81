#!/usr/bin/env python3
"""Generates a batch of synthetic pages, text dumps and HTML mixed, for
measuring boilerstrip at scale (throughput, peak memory).

    python3 scripts/gen-batch.py OUT_DIR [--pages 100000] [--seed 1]

Each page has site chrome (menus, share rows, a newsletter prompt, a cookie
notice, related-story teasers, a footer) around an article of 4-12 paragraphs
made of random sentences; pages are spread over 1000 subfolders named like
hosts, half as .txt whole-page dumps and half as .html. Deterministic for a
given seed.
"""
import argparse
import pathlib
import random

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = pathlib.Path(args.out)
    for i in range(args.pages):
        site = out / f"www.site{i % 1000:03d}.example"
        site.mkdir(parents=True, exist_ok=True)
        title, paras, teasers = page(rng)
        if i % 2:
            (site / f"page{i:06d}.html").write_text(as_html(title, paras, teasers, rng), "utf8")
        else:
            (site / f"page{i:06d}.txt").write_text(as_text(title, paras, teasers, rng), "utf8")


if __name__ == "__main__":
    main()
