#!/usr/bin/env bash
# A local Ray Data run over the zyte pages (../shared/evaldata/zyte/html)
# with the README's map_batches example, checking every record:
# scripts/ray-run.py. Builds the release command and wheel, makes its own
# venv with ray[data] (target/ray-venv, or BOILERSTRIP_VENV=DIR). A
# one-off, not part of CI.
#
#   bash scripts/ray-run.sh
pipeline_venv_default=target/ray-venv
pipeline_packages="ray[data] pandas"
source "$(dirname "$0")/pipeline-venv.sh"
export BOILERSTRIP_BIN="$bin"
time "$venv/bin/python" scripts/ray-run.py
