#!/usr/bin/env python3
"""A local[2] PySpark job over the 181 zyte pages, both ways the README's
PySpark section shows: RDD.pipe through the command (absolute path,
checkCode=True) and mapPartitions with the package's Cleaner. Checks that
every record comes back, once, with the text the command gives for it
outside Spark; then checks the README's claims about RDD.pipe on three
records (a bare command name fails with the empty environment, env= with
PATH works, checkCode=True fails the job on a bad record, checkCode=False
drops it and succeeds). Prints times and counts.

    bash scripts/spark-run.sh      (makes the venv and runs this)
"""

import json
import os
import sys
import time

import pipeline_pages as pp

BIN = os.environ["BOILERSTRIP_BIN"]
os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors' Python: the venv's

import boilerstrip  # noqa: E402
import pyspark  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402


# The README's example, as written there.
def clean_partition(rows):
    import boilerstrip
    cleaner = boilerstrip.Cleaner()
    for row in rows:
        yield (row.id, cleaner.clean(row.html, row.url).text)


def fails(fn):
    try:
        fn()
    except Exception as e:  # py4j's Py4JJavaError or PySpark's own
        return str(e)
    return None


def main():
    jsonl = pp.ROOT / "target" / "pipelines" / "zyte.jsonl"
    records = pp.write_records(jsonl)
    mb = sum(len(r["html"].encode()) for r in records) / 1e6
    want = pp.expected(records, jsonl, BIN)
    print(f"pyspark {pyspark.__version__}, boilerstrip {boilerstrip.__version__}, "
          f"Python {sys.version.split()[0]}; {len(records)} records, {mb:.2f} MB of HTML")

    t = time.perf_counter()
    spark = (SparkSession.builder.master("local[2]").appName("boilerstrip-spark-run")
             .config("spark.ui.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    sc = spark.sparkContext
    print(f"Spark {spark.version} session: {time.perf_counter() - t:.1f}s")

    # (a) through the command
    cmd = f"{BIN} clean --jsonl - -q --jobs 1"
    t = time.perf_counter()
    lines = sc.textFile(str(jsonl), minPartitions=2).pipe(cmd, checkCode=True).collect()
    wall = time.perf_counter() - t
    pp.check("RDD.pipe", ((r["id"], r["text"]) for r in map(json.loads, lines)), want)
    print(f"RDD.pipe: {wall:.2f}s wall, {mb / wall:.1f} MB/s (2 partitions)")

    # (b) through the package
    t = time.perf_counter()
    df = spark.read.json(str(jsonl))
    pairs = df.select("id", "html", "url").rdd.mapPartitions(clean_partition).collect()
    wall = time.perf_counter() - t
    parts = df.rdd.getNumPartitions()
    pp.check("mapPartitions", pairs, want)
    print(f"mapPartitions: {wall:.2f}s wall, {mb / wall:.1f} MB/s ({parts} partitions; "
          f"read.json included)")

    # The README's claims about RDD.pipe, on three records, one of them bad.
    good = [json.dumps({"id": r["id"], "url": r["url"], "html": r["html"]}) for r in records[:2]]
    bad = good[:1] + ["{not json"] + good[1:]
    small = sc.parallelize(good, 1)
    err = fails(lambda: small.pipe("boilerstrip clean --jsonl - -q --jobs 1").collect())
    if not err or "FileNotFoundError" not in err:
        raise SystemExit(f"a bare command name was expected to fail with FileNotFoundError: {err}")
    print("claim: pipe('boilerstrip ...') without env= fails: FileNotFoundError")
    out = small.pipe("boilerstrip clean --jsonl - -q --jobs 1",
                     env={"PATH": os.path.dirname(BIN)}, checkCode=True).collect()
    if len(out) != 2:
        raise SystemExit(f"env={{'PATH': ...}} gave {len(out)} records for 2")
    print("claim: pipe('boilerstrip ...', env={'PATH': DIR}) works: 2 records in, 2 out")
    bad_rdd = sc.parallelize(bad, 1)
    err = fails(lambda: bad_rdd.pipe(cmd, checkCode=True).collect())
    if not err:
        raise SystemExit("checkCode=True with a bad record was expected to fail the job")
    if "PIPE_FUNCTION_EXITED" not in err:
        raise SystemExit(f"checkCode=True with a bad record failed, but not on the exit code: {err[:300]}")
    print("claim: checkCode=True fails the job on a bad record: PIPE_FUNCTION_EXITED, error code 1")
    out = bad_rdd.pipe(cmd).collect()
    if len(out) != 2:
        raise SystemExit(f"checkCode=False with a bad record: {len(out)} records out, expected 2")
    print("claim: checkCode=False (the default) drops the bad record and succeeds: 3 lines in, 2 out")
    spark.stop()


if __name__ == "__main__":
    main()
