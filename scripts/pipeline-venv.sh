# Sourced by spark-run.sh and ray-run.sh: builds the release command and the
# release wheel, and makes the script's own venv with the wheel and the
# packages named in $pipeline_packages. Sets root, venv, bin.
#
#   pipeline_venv_default=target/NAME-venv   (BOILERSTRIP_VENV=DIR overrides)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ ! -d "$root/../shared/evaldata/zyte/html" ]; then
    echo "skipped: ../shared/evaldata/zyte/html is absent (the 181 zyte pages)"
    exit 0
fi
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
cargo build --release --quiet
bin=$root/target/release/boilerstrip
venv=${BOILERSTRIP_VENV:-$root/$pipeline_venv_default}
python3 -m venv --clear "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.9,<2" $pipeline_packages
wheels=$root/target/wheels-release
rm -rf "$wheels"
"$venv/bin/maturin" build --quiet --release \
    -m crates/boilerstrip-py/Cargo.toml -o "$wheels"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --force-reinstall --no-deps "$wheels"/boilerstrip-*.whl
