// Opens crmkit's HTML report in headless Chromium (Debian's package, driven by puppeteer-core)
// and checks what a reader would see: every report section present, every chart rendered as a
// non-empty SVG box with marks in it, no chart left out, no console error, no request beyond
// the file itself, and the page loaded within the time limit. A screenshot of each section is
// kept as an artifact.
//
// usage: node check_report.mjs REPORT.html SCREENSHOT_DIR [--max-load-ms N]
// Exit 0 when every check holds; 1 listing each failure; 2 on bad usage.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const SECTIONS = ['overview', 'revenue_by_month', 'top_customers', 'value', 'at_risk', 'segments', 'rfm',
                  'loyalty', 'points', 'identity'];

const args = process.argv.slice(2);
if (args.length < 2) {
  console.error('usage: node check_report.mjs REPORT.html SCREENSHOT_DIR [--max-load-ms N] [--min-charts N]');
  process.exit(2);
}
const [report, shots] = args;
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const maxLoadMs = option('--max-load-ms', 3000);
const minCharts = option('--min-charts', 1);
fs.mkdirSync(shots, { recursive: true });

const url = pathToFileURL(path.resolve(report)).href;
const failures = [];
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // No sandbox: CI runs as root, where Chromium's sandbox cannot start.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') failures.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url() === url) return r.continue();
    failures.push(`request beyond the file: ${r.url()}`);
    return r.abort();
  });

  const started = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  const loadMs = Date.now() - started;
  if (loadMs > maxLoadMs) failures.push(`the page took ${loadMs} ms to load (limit ${maxLoadMs} ms)`);

  const seen = await page.evaluate(() => {
    const charts = [...document.querySelectorAll('figure.chart svg')].map((svg) => {
      const box = svg.getBoundingClientRect();
      const section = svg.closest('section');
      return {
        section: section ? section.id : '(none)',
        width: box.width,
        height: box.height,
        marks: svg.querySelectorAll('rect, path, line, circle, polyline').length,
        title: (svg.querySelector('title') || {}).textContent || '',
        caption: ((svg.closest('figure') || {}).querySelector('figcaption') || {}).textContent || '',
      };
    });
    return {
      sections: [...document.querySelectorAll('section')].map((s) => ({ id: s.id, text: s.innerText.length })),
      missing: [...document.querySelectorAll('figure.missing')].map((f) => f.innerText),
      charts,
    };
  });

  for (const key of SECTIONS) {
    const s = seen.sections.find((x) => x.id === key);
    if (!s) failures.push(`section ${key} is missing`);
    else if (s.text === 0) failures.push(`section ${key} is empty`);
  }
  for (const m of seen.missing) failures.push(`a chart was not drawn: ${m}`);
  if (seen.charts.length < minCharts) failures.push(`${seen.charts.length} charts, expected at least ${minCharts}`);
  for (const c of seen.charts) {
    const name = `${c.section}: "${c.title}"`;
    if (!(c.width > 50 && c.height > 50)) failures.push(`chart ${name} renders ${c.width} x ${c.height} px`);
    if (c.marks < 3) failures.push(`chart ${name} has ${c.marks} marks`);
    if (!c.title) failures.push(`a chart in ${c.section} has no title`);
    if (!c.caption) failures.push(`chart ${name} has no caption`);
  }

  for (const s of seen.sections) {
    const handle = await page.$(`section#${s.id}`);
    if (handle) await handle.screenshot({ path: path.join(shots, `${s.id}.png`) });
  }
  await page.screenshot({ path: path.join(shots, 'page.png'), fullPage: true });
  console.log(`check_report: ${seen.sections.length} sections, ${seen.charts.length} charts, loaded in ${loadMs} ms; ` +
              `screenshots in ${shots}`);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(`check_report: FAIL ${f}`);
  process.exit(1);
}
