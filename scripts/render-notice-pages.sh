#!/usr/bin/env bash
# Look at a notice (or any .docx) as pages: DOCX → PDF (LibreOffice) → one PNG per page (poppler).
#
#   scripts/render-notice-pages.sh notice.docx [OUTDIR]
#
# Writes OUTDIR/<name>.pdf and OUTDIR/<name>-1.png, -2.png, … at 60 dpi (OUTDIR defaults to a new
# temporary directory) and prints their paths. Needs `libreoffice` and `pdftoppm` (poppler-utils):
# installed on developer machines, not in CI, so no test depends on this script.
# Without the official fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312) LibreOffice substitutes
# whatever CJK fonts the machine has; the layout (page, margins, lines, numbers) is still the real one.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 NOTICE.docx [OUTDIR]" >&2
    exit 2
fi
source_file="$1"
if [ ! -f "$source_file" ]; then
    echo "$0: no such file: $source_file" >&2
    exit 2
fi
for tool in libreoffice pdftoppm; do
    if ! command -v "$tool" >/dev/null; then
        echo "$0: $tool is not installed (apt-get install libreoffice-writer poppler-utils)" >&2
        exit 3
    fi
done
outdir="${2:-$(mktemp -d -t notice-pages.XXXXXX)}"
mkdir -p "$outdir"
name="$(basename "${source_file%.*}")"

# A private LibreOffice profile: no clash with a running office, nothing left in the user's home.
profile="$(mktemp -d -t notice-lo-profile.XXXXXX)"
trap 'rm -rf "$profile"' EXIT
libreoffice -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$outdir" \
    "$source_file" >/dev/null 2>&1
pdf="$outdir/$name.pdf"
if [ ! -s "$pdf" ]; then
    echo "$0: LibreOffice did not produce $pdf" >&2
    exit 1
fi
pdftoppm -r 60 -png "$pdf" "$outdir/$name"
echo "$pdf"
ls -1 "$outdir/$name"-*.png
