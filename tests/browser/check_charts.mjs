// Opens each chart crmkit drew from a store (`crmkit plot`, one SVG file each) in headless
// Chromium and checks what a reader would see: the document renders as a non-empty box with
// marks in it, drawn text inside the box (title, axis labels, caption), a <title> and a
// <desc>, no console error and no request beyond the file. A screenshot of each is kept.
//
// usage: node check_charts.mjs CHART_DIR SCREENSHOT_DIR --expect N
// Exit 0 when every check holds and N charts were found; 1 listing each failure; 2 on bad usage.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const args = process.argv.slice(2);
const e = args.indexOf('--expect');
if (args.length < 4 || e < 0) {
  console.error('usage: node check_charts.mjs CHART_DIR SCREENSHOT_DIR --expect N');
  process.exit(2);
}
const [dir, shots] = args;
const expected = Number(args[e + 1]);
fs.mkdirSync(shots, { recursive: true });
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.svg')).sort();
const failures = [];
if (files.length !== expected) failures.push(`${files.length} chart files in ${dir}, expected ${expected}`);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // No sandbox: CI runs as root, where Chromium's sandbox cannot start.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 800 });
  let current = '';
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') failures.push(`${current}: console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => failures.push(`${current}: page error: ${err.message}`));
  await page.setRequestInterception(true);
  let url = '';
  page.on('request', (r) => {
    if (r.url() === url) return r.continue();
    failures.push(`${current}: request beyond the file: ${r.url()}`);
    return r.abort();
  });
  for (const f of files) {
    current = f;
    url = pathToFileURL(path.resolve(dir, f)).href;
    await page.goto(url, { waitUntil: 'load' });
    const seen = await page.evaluate(() => {
      const svg = document.documentElement;
      if (!svg || svg.localName !== 'svg') return { root: svg ? svg.localName : '(none)' };
      const box = svg.getBoundingClientRect();
      // Drawn text outside the document's box would be cut off for the reader.
      const outside = [...svg.querySelectorAll('text')].filter((t) => {
        const b = t.getBoundingClientRect();
        return b.width > 0 && (b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 ||
                               b.bottom > box.bottom + 1);
      }).map((t) => t.textContent);
      return {
        root: 'svg',
        width: box.width,
        height: box.height,
        marks: svg.querySelectorAll('rect, path, line, circle, polyline').length,
        title: (svg.querySelector('title') || {}).textContent || '',
        desc: (svg.querySelector('desc') || {}).textContent || '',
        caption: (svg.querySelector('.caption') || {}).textContent || '',
        axes: svg.querySelectorAll('.axis-label').length,
        outside,
      };
    });
    if (seen.root !== 'svg') { failures.push(`${f}: the document is <${seen.root}>, not an SVG`); continue; }
    if (!(seen.width > 200 && seen.height > 200)) failures.push(`${f}: renders ${seen.width} x ${seen.height} px`);
    if (seen.marks < 5) failures.push(`${f}: ${seen.marks} marks`);
    if (!seen.title) failures.push(`${f}: no <title>`);
    if (!seen.desc) failures.push(`${f}: no <desc>`);
    if (!seen.caption.trim()) failures.push(`${f}: no drawn caption`);
    if (seen.axes < 1) failures.push(`${f}: no axis label`);
    for (const t of seen.outside) failures.push(`${f}: text drawn outside the chart: "${t}"`);
    await page.screenshot({ path: path.join(shots, f.replace(/\.svg$/, '.png')) });
  }
  console.log(`check_charts: ${files.length} charts rendered; screenshots in ${shots}`);
} finally {
  await browser.close();
}
if (failures.length) {
  for (const f of failures) console.error(`check_charts: FAIL ${f}`);
  process.exit(1);
}
