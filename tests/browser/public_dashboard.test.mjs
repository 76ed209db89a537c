// The public progress dashboard in headless Chromium: with a city's worth of requests in the
// database, the page shows the same headline numbers as summary.json, switches period and
// language, draws its charts with text tables beside them, passes axe-core with no serious or
// critical violation, and leaves a screenshot for the README (docs/img/public-dashboard.png).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sourceDir, startServer } from '../e2e/harness.mjs';
import { execFileSync } from 'node:child_process';
import { launchBrowser } from './browser.mjs';


/** SQL on the server's database; waits for the server's writer instead of failing "locked". */
function sql(srv, query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(srv.dir, 'civicline.db'), query])
    .toString().trim();
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server, browser, cleanup;

// 400 requests over the last 120 days: categories and channels in a fixed mix, most closed
// after a few hours to a few days, every fifth still open. The same SQL arithmetic as the
// server's status changes fills closed_at/close_ms and first_ack_at/ack_ms.
const seed = `
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400),
rows AS (
  SELECT i,
    CASE i % 5 WHEN 0 THEN 'pothole' WHEN 1 THEN 'streetlight' WHEN 2 THEN 'graffiti'
      WHEN 3 THEN 'missed_trash_pickup' ELSE 'illegal_dumping' END AS category,
    CASE i % 7 WHEN 0 THEN 'web_chat' WHEN 1 THEN 'web_chat' WHEN 2 THEN 'staff' WHEN 3 THEN 'open311'
      ELSE 'sms' END AS channel,
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((i * 7919) % 120) || ' days', '-' || (i % 24) || ' hours') AS created,
    (i * 37) % 160 + 2 AS close_hours,
    (i % 5 = 0) AS still_open
  FROM n)
INSERT INTO service_requests (tracking_id, category, status, location_text, location_key, description,
  channel, language, created_at, updated_at, due_at, closed_at, close_ms, first_ack_at, ack_ms)
SELECT printf('311-%06d', 500000 + i), category, CASE WHEN still_open THEN 'acknowledged' ELSE 'resolved' END,
  (100 + i) || ' Main St', 'k' || i, 'seeded', channel, 'en', created, created,
  strftime('%Y-%m-%dT%H:%M:%fZ', created, '+72 hours'),
  CASE WHEN still_open THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', created, '+' || close_hours || ' hours') END,
  CASE WHEN still_open THEN NULL ELSE close_hours * 3600000 END,
  strftime('%Y-%m-%dT%H:%M:%fZ', created, '+2 hours'), 7200000
FROM rows WHERE CASE WHEN still_open THEN 1 ELSE
  strftime('%Y-%m-%dT%H:%M:%fZ', created, '+' || close_hours || ' hours') < strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END;`;

before(async () => {
  // No cache: the figures are counted after the seed below, not when the server started.
  server = await startServer({ overrides: { public: { cache_seconds: 0 } } });
  sql(server, seed);
  ({ browser, cleanup } = await launchBrowser());
});
after(async () => {
  await browser?.close();
  cleanup?.();
  await server?.close();
});

async function open(page, query) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto(`${server.url}/public/${query}`);
  assert.equal(response.status(), 200);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 10000 });
  return problems;
}

async function headline(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.headline dd')]
    .map((dd) => [dd.id, { value: dd.dataset.value, text: dd.textContent }])));
}

test('the headline numbers equal summary.json, and changing the period refetches them', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  const problems = await open(page, '?period=90&lang=en');
  const summary = await (await fetch(`${server.url}/public/api/summary.json?period=90`)).json();
  assert.ok(summary.totals.received > 100, 'the seed is in the period');
  const shown = await headline(page);
  const number = new Intl.NumberFormat('en');
  assert.equal(shown['headline-received'].value, String(summary.totals.received));
  assert.equal(shown['headline-received'].text, number.format(summary.totals.received));
  assert.equal(shown['headline-closed'].value, String(summary.totals.closed));
  assert.equal(shown['headline-closed'].text, number.format(summary.totals.closed));
  assert.equal(shown['headline-still-open'].value, String(summary.totals.still_open));
  assert.equal(shown['headline-open-now'].value, String(summary.totals.open_now));
  assert.equal(shown['headline-median'].value, String(summary.totals.median_hours_to_close));
  assert.equal(shown['headline-on-time'].value, String(summary.totals.on_time_share));
  assert.equal(shown['headline-on-time'].text,
    new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(summary.totals.on_time_share));

  // Each chart is an image with a name, and its numbers are also a table.
  assert.equal(await page.locator('#trend-chart svg[role="img"]').getAttribute('aria-label'),
    'Requests received and closed per week');
  assert.equal(await page.locator('#trend-table tbody tr').count(), summary.weekly.length);
  assert.equal(await page.locator('#categories-table tbody tr').count(), summary.categories.length);
  assert.equal(await page.locator('#backlog-table tbody tr').count(), 4);
  assert.match(await page.locator('#notes-text').textContent(), /Demo City/);

  await page.getByRole('combobox', { name: 'Period' }).selectOption('30');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('period') === '30');
  const thirty = await (await fetch(`${server.url}/public/api/summary.json?period=30`)).json();
  await page.waitForFunction((n) => document.getElementById('headline-received').dataset.value === String(n),
    thirty.totals.received);
  assert.deepEqual(problems, []);
  await page.screenshot({ path: path.join(sourceDir, 'docs/img/public-dashboard.png'), fullPage: false });
  await page.close();
});

test('the dashboard passes axe-core without serious or critical violations, in English and Spanish', async () => {
  for (const lang of ['en', 'es']) {
    const page = await browser.newPage();
    const problems = await open(page, `?period=365&lang=${lang}`);
    // Evaluated over the DevTools protocol, so the page's CSP (script-src 'self') still holds.
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], lang);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    if (lang === 'es') {
      assert.match(await page.locator('h1').textContent(), /^Avance del 311/);
      assert.equal(await page.locator('#notes-heading').textContent(), 'Qué cambiamos');
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
});
