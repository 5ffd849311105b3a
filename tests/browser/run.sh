#!/usr/bin/env bash
# The HTML report and every chart of a store in a real browser: a demo store, `crmkit report
# --html` and `crmkit plot` for each chart `crmkit plot --list` names, then check_report.mjs and
# check_charts.mjs in headless Chromium. Screenshots of every section and chart stay in
# ARTIFACTS (CI keeps them).
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
rm -rf "$artifacts/store" "$artifacts/screenshots" "$artifacts/charts"
mkdir -p "$artifacts/store"
"$cli" demo --db "$artifacts/store/demo.db" >"$artifacts/store/demo.txt"
"$cli" report --db "$artifacts/store/demo.db" --html "$artifacts/report.html"
# Every section of the demo has its charts: nine at least (stages, countries, channel x kind,
# revenue, CLV, segments, RFM, cohorts, tiers).
# Run from beside its node_modules: ES modules resolve packages from the script's own folder.
cp "$here/check_report.mjs" "$here/check_charts.mjs" "$modules/"
node "$modules/check_report.mjs" "$artifacts/report.html" "$artifacts/screenshots" \
  --min-charts 9 --max-load-ms 3000

# Every chart of the store. The demo's model is calibrated to its last day, so the calibration
# check gets a model of its own calibrated half a year earlier.
db="$artifacts/store/demo.db"
mkdir -p "$artifacts/charts"
"$cli" clv fit --db "$db" --model bgnbd --unit week --calibration-end 2025-06-30 --json >"$artifacts/store/fit.json"
model=$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(j.id)' \
  "$artifacts/store/fit.json")
charts=$("$cli" plot --list --json | node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () =>
  console.log(JSON.parse(s).charts.map((c) => c.name).join(" ")))')
count=0
for chart in $charts; do
  extra=()
  case $chart in
    calibration-holdout) extra=(--model "$model" --holdout-end 2025-12-31) ;;
    p-alive-history) extra=(--customer 1) ;;
  esac
  "$cli" plot "$chart" --db "$db" "${extra[@]}" -o "$artifacts/charts/$chart.svg" 2>/dev/null
  count=$((count + 1))
done
node "$modules/check_charts.mjs" "$artifacts/charts" "$artifacts/screenshots/charts" --expect "$count"
