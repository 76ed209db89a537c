// The Content-Security-Policy in a real browser: every page civicline serves (home, staff
// console with a request open, public dashboard, a request's status page, a 404) loads and
// works under the strict policy with no violation reported — listened for with
// `securitypolicyviolation` events installed before any page script, and in console errors.
// The status page also passes axe-core (no serious or critical violation) in English and
// Spanish and at 320 px, and reads without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServer } from '../e2e/harness.mjs';
import { chatReport } from '../e2e/residents.mjs';
import { launchBrowser } from './browser.mjs';
import { closeAll, createUser, logIn, newPage, unexpected, waitMs } from './console_page.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server;
let ctx;
let trackingId;
const password = 'correct horse battery staple 7';

/** A page that records CSP violations from the first script on. */
async function watchedPage() {
  const page = await newPage(ctx);
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return page;
}

async function violations(page) {
  const events = await page.evaluate(() => window.cspViolations);
  const logged = page.problems.filter((p) => /Content Security Policy|Refused to/i.test(p));
  return [...events, ...logged];
}

async function axeViolations(page) {
  await page.evaluate(axeSource); // page.evaluate is not bound by the page's CSP
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

before(async () => {
  server = await startServer();
  await createUser(server, 'ada', password);
  trackingId = await chatReport(server, 'pothole at 1234 Main St');
  ctx = await launchBrowser();
});

after(async () => {
  await closeAll([ctx], [server]);
});

test('every page and asset carries the strict policy and the other security headers', async () => {
  for (const route of ['/', '/console/', '/console/app.js', '/public/', '/public/public.css', `/r/${trackingId}`,
    `/r/${trackingId}.json`, '/r/311-999999', '/nothing-here', '/healthz', '/assets/status.css']) {
    const res = await fetch(`${server.url}${route}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
      "object-src 'none'"]) {
      assert.ok(csp.includes(directive), `${route}: ${directive} in "${csp}"`);
    }
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), route);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', route);
    assert.equal(res.headers.get('referrer-policy'), 'same-origin', route);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', route);
  }
});

test('the home page, the public dashboard and the status page run without a CSP violation', async () => {
  for (const route of ['/', '/public/', '/public/?lang=es', `/r/${trackingId}`, `/r/${trackingId}?lang=es`, '/r/311-999999']) {
    const page = await watchedPage();
    await page.goto(`${server.url}${route}`, { waitUntil: 'networkidle' });
    if (route.startsWith('/public/')) await page.locator('.headline dd').first().waitFor();
    assert.deepEqual(await violations(page), [], route);
    assert.deepEqual(page.problems.filter((p) => !/Failed to load resource: .* 404/.test(p)), [], route);
    // The stylesheet applied (a blocked one would leave the default body margin).
    const margin = await page.evaluate(() => getComputedStyle(document.body).marginLeft);
    assert.notEqual(margin, '8px', `${route}: stylesheet not applied`);
    await page.close();
  }
});

test('the staff console runs without a CSP violation: login, queue, a request opened', async () => {
  const page = await watchedPage();
  await logIn(page, server, 'ada', password);
  await page.getByRole('button', { name: trackingId }).click();
  await page.locator('#detail-heading').getByText(trackingId).waitFor({ timeout: waitMs });
  await page.locator('#detail-transcript li').first().waitFor();
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(unexpected(page), []);
  await page.close();
});

test('the status page passes axe-core in English and Spanish, on a phone too, and needs no JavaScript', async () => {
  for (const [lang, width] of [['en', 1280], ['es', 1280], ['en', 320]]) {
    const page = await watchedPage();
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`${server.url}/r/${trackingId}?lang=${lang}`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    assert.deepEqual(await axeViolations(page), [], `${lang} at ${width}px`);
    // Nothing scrolls sideways at 320 px.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${lang} ${width}`);
    await page.close();
  }
  const missing = await watchedPage();
  await missing.goto(`${server.url}/r/311-999999`);
  assert.deepEqual(await axeViolations(missing), []);
  await missing.close();

  // The page is complete as served: it loads no script at all.
  const page = await watchedPage();
  await page.goto(`${server.url}/r/${trackingId}`);
  assert.equal(await page.evaluate(() => document.scripts.length), 0);
  assert.match(await page.locator('h1').textContent(), new RegExp(trackingId));
  assert.match(await page.locator('.status').textContent(), /received/);
  await page.close();
});
