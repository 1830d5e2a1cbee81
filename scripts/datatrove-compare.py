#!/usr/bin/env python3
"""Runs the zyte pages through two datatrove pipelines, one with
boilerstrip's step and one with datatrove's Trafilatura step, and prints
each one's time per document and its F1 (`boilerstrip eval`, the body
metric of ../shared/evaldata/score.py).

    python scripts/datatrove-compare.py [--bin target/release/boilerstrip] [--out DIR]

Needs a venv with datatrove, orjson, trafilatura and the boilerstrip wheel
(release). Each pipeline: one task, the pages handed over as datatrove
Documents with their URL in the metadata, the output written as
`<id>.txt` for scoring. Trafilatura runs with datatrove's defaults
(favour_precision, deduplicate) but a 10 s sandbox timeout: at the default
1 s every document timed out here (the sandbox process, started anew after
each timeout, does not get trafilatura imported and warmed up within it);
boilerstrip in the task's process and, for the same sandbox cost, with
timeout=1.
"""

import argparse
import json
import subprocess
import time
from pathlib import Path

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.extractors import Trafilatura

from boilerstrip.datatrove import BoilerstripExtractor

HERE = Path(__file__).resolve().parent.parent
ZYTE = HERE.parent / "shared" / "evaldata" / "zyte"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(HERE / "target" / "release" / "boilerstrip"))
    ap.add_argument("--out", default=str(HERE / "target" / "datatrove-compare"))
    args = ap.parse_args()
    truth = json.loads((ZYTE / "ground-truth.json").read_text())
    pages = sorted((ZYTE / "html").glob("*.html"))
    docs = [(p.stem, p.read_bytes().decode("utf-8", "replace"), truth.get(p.stem, {}).get("url")) for p in pages]
    mb = sum(len(t.encode()) for _, t, _ in docs) / 1e6

    def reader(data, rank=0, world_size=1):
        for id_, html, url in docs:
            yield Document(text=html, id=id_, metadata={"url": url})

    steps = [
        ("boilerstrip", lambda: BoilerstripExtractor(format="html")),
        ("boilerstrip timeout=1", lambda: BoilerstripExtractor(format="html", timeout=1)),
        ("trafilatura", lambda: Trafilatura()),
    ]
    for name, make in steps:
        out = Path(args.out) / name.replace(" ", "_").replace("=", "")
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.txt"):
            old.unlink()

        def writer(data, rank=0, world_size=1, out=out):
            for doc in data:
                (out / f"{doc.id}.txt").write_text(doc.text)
                yield doc

        executor = LocalPipelineExecutor(
            pipeline=[reader, make(), writer],
            tasks=1,
            logging_dir=str(out.parent / "logs" / out.name),
            skip_completed=False,
        )
        t = time.perf_counter()
        executor.run()
        wall = time.perf_counter() - t
        score = subprocess.run(
            [args.bin, "eval", "--truth", str(ZYTE / "expected.json"), str(out)],
            capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[0]
        print(f"{name}: {len(docs)} documents, {mb:.2f} MB, {wall:.2f}s: "
              f"{1000 * wall / len(docs):.1f} ms/document, {mb / wall:.1f} MB/s | {score}")


if __name__ == "__main__":
    main()
