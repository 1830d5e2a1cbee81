#!/usr/bin/env python3
"""A local Ray Data run over the 181 zyte pages with the README's
map_batches example (a callable class holding one Cleaner per actor, two
actors): read_json, map_batches, write_json, then every record read back
and checked against the text the command gives for it outside Ray. Prints
times and counts.

    bash scripts/ray-run.sh      (makes the venv and runs this)
"""

import json
import os
import shutil
import sys
import time

import pipeline_pages as pp

BIN = os.environ["BOILERSTRIP_BIN"]

import boilerstrip  # noqa: E402
import ray  # noqa: E402


# The README's example, as written there.
class Clean:
    def __init__(self):
        self.cleaner = boilerstrip.Cleaner()
    def __call__(self, batch):
        results = self.cleaner.clean_many(list(batch["html"]), list(batch["url"]), jobs=1, errors="return")
        batch["text"] = [r.text if isinstance(r, boilerstrip.CleanResult) else None for r in results]
        batch["error"] = [str(r) if isinstance(r, boilerstrip.PageError) else None for r in results]
        return batch.drop(columns=["html"])


def main():
    work = pp.ROOT / "target" / "pipelines"
    crawl, clean = work / "ray-crawl", work / "ray-clean"
    shutil.rmtree(crawl, ignore_errors=True)
    shutil.rmtree(clean, ignore_errors=True)
    records = pp.write_records(crawl / "zyte.jsonl")
    mb = sum(len(r["html"].encode()) for r in records) / 1e6
    want = pp.expected(records, crawl / "zyte.jsonl", BIN)
    print(f"ray {ray.__version__}, boilerstrip {boilerstrip.__version__}, "
          f"Python {sys.version.split()[0]}; {len(records)} records, {mb:.2f} MB of HTML")

    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             log_to_driver=False)
    print(f"ray.init (local, num_cpus=2): {time.perf_counter() - t:.1f}s")

    t = time.perf_counter()
    ray.data.read_json(str(crawl)).map_batches(Clean, batch_format="pandas",
        compute=ray.data.ActorPoolStrategy(size=2), num_cpus=0.5).write_json(str(clean))
    wall = time.perf_counter() - t
    ray.shutdown()

    got, errors, files = [], [], sorted(clean.glob("*.json*"))
    for f in files:
        for line in f.read_text().splitlines():
            r = json.loads(line)
            got.append((r["id"], r["text"]))
            if r.get("error"):
                errors.append((r["id"], r["error"]))
    if errors:
        raise SystemExit(f"map_batches: {len(errors)} records failed: {errors[:3]}")
    pp.check("map_batches", got, want)
    print(f"map_batches: {wall:.2f}s wall (read_json, 2 actors, write_json: {len(files)} files), "
          f"{mb / wall:.1f} MB/s")


if __name__ == "__main__":
    main()
