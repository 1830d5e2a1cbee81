#!/usr/bin/env python3
"""Times the Python package on a directory of HTML pages held in memory:
Cleaner.clean one page at a time (to compare with `boilerstrip bench`,
single-threaded), then clean_many with 1 and with 2 jobs.

    python scripts/py-bench.py [DIR] [--iterations 5]

DIR defaults to ../shared/evaldata/zyte/html. Run it with a venv holding a
release wheel (maturin build --release); every figure is the best of the
passes.
"""

import argparse
import sys
import time
from pathlib import Path

import boilerstrip


def best_of(n, fn):
    """The best wall time of n passes, and that pass's CPU time (all threads)."""
    best, cpu = float("inf"), 0.0
    for _ in range(n):
        c, t = time.process_time(), time.perf_counter()
        fn()
        wall = time.perf_counter() - t
        if wall < best:
            best, cpu = wall, time.process_time() - c
    return best, cpu


def main():
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default=str(here.parent / "shared/evaldata/zyte/html"))
    ap.add_argument("--iterations", type=int, default=5)
    args = ap.parse_args()
    paths = sorted(p for p in Path(args.dir).rglob("*") if p.suffix.lower() in (".html", ".htm"))
    if not paths:
        sys.exit(f"no HTML pages under {args.dir}")
    pages = [p.read_bytes() for p in paths]
    mb = sum(map(len, pages)) / 1e6
    cleaner = boilerstrip.Cleaner(format="html")
    n = args.iterations

    one, _ = best_of(n, lambda: [cleaner.clean(p) for p in pages])
    print(f"Cleaner.clean: {len(pages)} pages, {mb:.2f} MB, best of {n} passes {one:.3f}s: "
          f"{mb / one:.1f} MB/s single-threaded")
    (t1, c1), (t2, c2) = (best_of(n, lambda j=j: cleaner.clean_many(pages, jobs=j)) for j in (1, 2))
    print(f"clean_many: jobs=1 {t1:.3f}s ({mb / t1:.1f} MB/s, CPU {c1:.3f}s), "
          f"jobs=2 {t2:.3f}s ({mb / t2:.1f} MB/s, CPU {c2:.3f}s): {t1 / t2:.2f}x")

if __name__ == "__main__":
    main()
