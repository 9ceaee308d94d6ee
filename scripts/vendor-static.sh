#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry at pinned versions.
# The results are committed: the product serves them itself and never calls a CDN.
set -euo pipefail
HTMX_VERSION=2.0.8
here="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$here/src/rectify/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null
tar xzf htmx.org-$HTMX_VERSION.tgz
mkdir -p "$vendor/htmx"
cp package/dist/htmx.min.js "$vendor/htmx/htmx.min.js"
cp package/LICENSE "$vendor/htmx/LICENSE"
echo "htmx.org@$HTMX_VERSION" > "$vendor/htmx/VERSION"
echo "vendored htmx $HTMX_VERSION into $vendor"
