#!/usr/bin/env bash
# Builds text dumps of the zyte dev pages with other HTML-to-text converters
# (lynx, w3m, html2text) and scores boilerstrip on each, so text mode is
# measured on more than the one converter that made textdumps-zyte.
#
#   scripts/converter-sets.sh [OUT_DIR]     (default: target/converter-sets)
#
# Needs lynx and w3m (apt-get install lynx w3m) and html2text (pip install
# html2text); a converter that is missing is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/evaldata
out=${1:-target/converter-sets}
[ -d "$shared/zyte/html" ] || { echo "no $shared/zyte/html: clone ../shared beside the repo" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/boilerstrip
truth=$shared/zyte/expected.json

convert() { # name, command reading the HTML file "$1" and writing text to stdout
  local name=$1; shift
  mkdir -p "$out/$name"
  for f in "$shared"/zyte/html/*.html; do
    id=$(basename "$f" .html)
    "$@" "$f" > "$out/$name/$id.txt" 2>/dev/null || true
  done
}

if command -v lynx >/dev/null; then
  convert lynx lynx -dump -force_html -assume_charset=utf-8 -display_charset=utf-8 -width=80
else echo "skipping lynx: not installed" >&2; fi
if command -v w3m >/dev/null; then
  convert w3m w3m -dump -T text/html -I utf-8 -O utf-8 -cols 80
else echo "skipping w3m: not installed" >&2; fi
if python3 -c 'import html2text' 2>/dev/null; then
  mkdir -p "$out/html2text"
  python3 - "$shared/zyte/html" "$out/html2text" <<'PY'
import html2text, pathlib, sys
src, dst = map(pathlib.Path, sys.argv[1:])
for f in sorted(src.glob("*.html")):
    h = html2text.HTML2Text()
    h.body_width = 78
    (dst / (f.stem + ".txt")).write_text(h.handle(f.read_text("utf8", errors="replace")), "utf8")
PY
else echo "skipping html2text: not installed" >&2; fi

for d in "$out"/*/; do
  name=$(basename "$d")
  printf '%-10s input as is:   ' "$name"; $bin eval --truth "$truth" "$d"
  printf '%-10s cleaned:       ' "$name"; $bin eval --clean --truth "$truth" "$d" 2>/dev/null
  printf '%-10s cleaned plain: ' "$name"; $bin eval --clean --plain --truth "$truth" "$d" 2>/dev/null
done
