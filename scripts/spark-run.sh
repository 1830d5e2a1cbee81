#!/usr/bin/env bash
# A local[2] PySpark run over the zyte pages (../shared/evaldata/zyte/html),
# through the command (RDD.pipe) and through the package (mapPartitions),
# checking every record: scripts/spark-run.py. Builds the release command
# and wheel, makes its own venv with pyspark (target/spark-venv, or
# BOILERSTRIP_VENV=DIR). Needs Java 17 or later. A one-off, not part of CI.
#
#   bash scripts/spark-run.sh
pipeline_venv_default=target/spark-venv
pipeline_packages="pyspark"
source "$(dirname "$0")/pipeline-venv.sh"
java -version 2>&1 | head -1
# Spark binds to this machine's loopback address only.
export SPARK_LOCAL_IP=127.0.0.1 BOILERSTRIP_BIN="$bin"
time "$venv/bin/python" scripts/spark-run.py
