#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry at pinned versions.
# The results are committed: the product serves them itself and never calls a CDN.
set -euo pipefail
HTMX_VERSION=2.0.8
ECHARTS_VERSION=6.1.0
AXE_VERSION=4.14.1
here="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$here/src/rectify/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# htmx: the ledger's in-place filtering.
mkdir htmx && (cd htmx && npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null && tar xzf htmx.org-$HTMX_VERSION.tgz)
mkdir -p "$vendor/htmx"
cp htmx/package/dist/htmx.min.js "$vendor/htmx/htmx.min.js"
cp htmx/package/LICENSE "$vendor/htmx/LICENSE"
echo "htmx.org@$HTMX_VERSION" > "$vendor/htmx/VERSION"
echo "vendored htmx $HTMX_VERSION into $vendor/htmx"

# Apache ECharts: the indicator charts on the measure page (Apache-2.0; LICENSE and NOTICE kept).
mkdir echarts && (cd echarts && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null && tar xzf echarts-$ECHARTS_VERSION.tgz)
mkdir -p "$vendor/echarts"
cp echarts/package/dist/echarts.min.js "$vendor/echarts/echarts.min.js"
cp echarts/package/LICENSE "$vendor/echarts/LICENSE"
if [ -f echarts/package/NOTICE ]; then cp echarts/package/NOTICE "$vendor/echarts/NOTICE"; fi
echo "echarts@$ECHARTS_VERSION" > "$vendor/echarts/VERSION"
echo "vendored echarts $ECHARTS_VERSION into $vendor/echarts"

# axe-core: the accessibility checker the portal's browser test injects into every page (MPL-2.0).
# A test asset, never served: it goes to tests/e2e/vendor/, not to the static files.
tests_vendor="$here/tests/e2e/vendor"
mkdir axe && (cd axe && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar xzf axe-core-$AXE_VERSION.tgz)
mkdir -p "$tests_vendor"
cp axe/package/axe.min.js "$tests_vendor/axe.min.js"
cp axe/package/LICENSE "$tests_vendor/axe-LICENSE"
echo "axe-core@$AXE_VERSION" > "$tests_vendor/axe-VERSION"
echo "vendored axe-core $AXE_VERSION into $tests_vendor"
