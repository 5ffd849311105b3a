#!/usr/bin/env bash
# The HTML report in a real browser: a demo store, `crmkit report --html`, then check_report.mjs
# in headless Chromium. Screenshots of every section stay in ARTIFACTS (CI keeps them).
# usage: run.sh CRMKIT_CLI ARTIFACTS
set -euo pipefail
cli=$1
artifacts=$2
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
for need in node npm "$chromium"; do
  command -v "$need" >/dev/null || { echo "browser test: $need is missing (make deps installs it)" >&2; exit 1; }
done
# puppeteer-core, pinned by package-lock.json, into the build tree (the checkout stays clean).
modules="$artifacts/node"
if [ ! -f "$modules/node_modules/puppeteer-core/package.json" ]; then
  mkdir -p "$modules"
  cp "$here/package.json" "$here/package-lock.json" "$modules/"
  (cd "$modules" && npm ci --no-audit --no-fund --loglevel=error)
fi
rm -rf "$artifacts/store" "$artifacts/screenshots"
mkdir -p "$artifacts/store"
"$cli" demo --db "$artifacts/store/demo.db" >"$artifacts/store/demo.txt"
"$cli" report --db "$artifacts/store/demo.db" --html "$artifacts/report.html"
# Every section of the demo has its charts: nine at least (stages, countries, channel x kind,
# revenue, CLV, segments, RFM, cohorts, tiers).
# Run from beside its node_modules: ES modules resolve packages from the script's own folder.
cp "$here/check_report.mjs" "$modules/"
node "$modules/check_report.mjs" "$artifacts/report.html" "$artifacts/screenshots" \
  --min-charts 9 --max-load-ms 3000
