#!/usr/bin/env bash
# Regenerates the demo PDFs from their committed sources:
#   nou-demo.tex                 -> nou-demo.pdf                 (XeLaTeX, two runs for the table of contents)
#   prop-demo.fodt               -> prop-demo.pdf                (LibreOffice Writer, headless)
#   horingsuttalelse-demo.html   -> horingsuttalelse-demo.pdf    (Chromium, headless print-to-pdf)
# samarbeidsavtale-demo.html stays HTML.
#
# Installs nothing. Debian packages needed (bookworm names):
#   texlive-xetex texlive-lang-european texlive-fonts-recommended fonts-linuxlibertine
#   libreoffice-writer-nogui hyphen-no fonts-dejavu
#   chromium fonts-crosextra-carlito
#   poppler-utils   (optional: page counts printed at the end)
#
# The sources themselves (and the *.truth.txt files) are written by text/gen.py from
# text/*.txt; run `python3 text/gen.py` first if you changed the wording.
#
# Usage: examples/demo/build.sh [nou|prop|horing]...   (default: all three)

set -euo pipefail

DEMO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DEMO"

die() { echo "build.sh: $*" >&2; exit 1; }

need_tool() { # tool package
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install the Debian package '$2' (apt-get install --no-install-recommends $2)"
}

need_font() { # family package
    if command -v fc-list >/dev/null 2>&1; then
        fc-list ":family=$1" family | grep -q . || die "font '$1' not found; install the Debian package '$2'"
    fi
}

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# A fixed date for the producers that honour it (xdvipdfmx), so rebuilds differ less.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1795392000}"   # 2026-11-23 00:00 UTC
export FORCE_SOURCE_DATE=1

build_nou() {
    need_tool xelatex "texlive-xetex texlive-lang-european texlive-fonts-recommended"
    need_font "Linux Libertine O" fonts-linuxlibertine
    need_font "Linux Biolinum O" fonts-linuxlibertine
    kpsewhich hyph-nb.tex >/dev/null 2>&1 || die "Norwegian hyphenation patterns missing; install 'texlive-lang-european'"
    cp nou-demo.tex "$WORK/"
    for run in 1 2; do
        (cd "$WORK" && xelatex -interaction=nonstopmode -halt-on-error nou-demo.tex >"xelatex-$run.out" 2>&1) \
            || { tail -n 30 "$WORK/xelatex-$run.out" >&2; die "xelatex failed on nou-demo.tex (run $run)"; }
    done
    cp "$WORK/nou-demo.pdf" nou-demo.pdf
    echo "nou-demo.pdf"
}

build_prop() {
    local soffice
    soffice="$(command -v soffice || command -v libreoffice || true)"
    [ -n "$soffice" ] || die "'soffice' not found; install the Debian packages 'libreoffice-writer-nogui hyphen-no'"
    need_font "DejaVu Serif" fonts-dejavu
    need_font "DejaVu Sans" fonts-dejavu
    [ -e /usr/share/hyphen/hyph_nb_NO.dic ] || echo "build.sh: warning: hyphen-no not installed, prop-demo.pdf will not be hyphenated" >&2
    mkdir -p "$WORK/lo-profile" "$WORK/lo-out"
    "$soffice" --headless --norestore "-env:UserInstallation=file://$WORK/lo-profile" \
        --convert-to 'pdf:writer_pdf_Export:{"ExportBookmarks":{"type":"boolean","value":"true"}}' \
        --outdir "$WORK/lo-out" prop-demo.fodt >"$WORK/soffice.out" 2>&1 \
        || { cat "$WORK/soffice.out" >&2; die "soffice failed on prop-demo.fodt"; }
    [ -s "$WORK/lo-out/prop-demo.pdf" ] || { cat "$WORK/soffice.out" >&2; die "soffice wrote no PDF"; }
    cp "$WORK/lo-out/prop-demo.pdf" prop-demo.pdf
    echo "prop-demo.pdf"
}

build_horing() {
    local chrome
    chrome="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
    [ -n "$chrome" ] || die "'chromium' not found; install the Debian packages 'chromium fonts-crosextra-carlito'"
    need_font Carlito fonts-crosextra-carlito
    need_font "DejaVu Sans" fonts-dejavu
    mkdir -p "$WORK/chrome-profile"
    "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$WORK/chrome-profile" --no-pdf-header-footer \
        --print-to-pdf="$WORK/horingsuttalelse-demo.pdf" "file://$DEMO/horingsuttalelse-demo.html" \
        >"$WORK/chrome.out" 2>&1 || { cat "$WORK/chrome.out" >&2; die "chromium failed"; }
    [ -s "$WORK/horingsuttalelse-demo.pdf" ] || { cat "$WORK/chrome.out" >&2; die "chromium wrote no PDF"; }
    cp "$WORK/horingsuttalelse-demo.pdf" horingsuttalelse-demo.pdf
    echo "horingsuttalelse-demo.pdf"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(nou prop horing)
for t in "${targets[@]}"; do
    case "$t" in
        nou) build_nou ;;
        prop) build_prop ;;
        horing) build_horing ;;
        *) die "unknown target '$t' (nou, prop, horing)" ;;
    esac
done

if command -v pdfinfo >/dev/null 2>&1; then
    for f in nou-demo.pdf prop-demo.pdf horingsuttalelse-demo.pdf; do
        [ -e "$f" ] && printf '%-28s %s pages, %s bytes\n' "$f" \
            "$(pdfinfo "$f" | awk '/^Pages:/ {print $2}')" "$(stat -c %s "$f")"
    done
fi
