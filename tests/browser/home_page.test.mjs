// The home page in a real browser: it renders, its links work, and the
// content security policy blocks nothing the page itself needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../e2e/harness.mjs';
import { launchBrowser } from './browser.mjs';

let server, browser, cleanup;
before(async () => {
  server = await startServer();
  ({ browser, cleanup } = await launchBrowser());
});
after(async () => {
  await browser?.close();
  cleanup?.();
  await server?.close();
});

test('the home page renders with its stylesheet and working links', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto(`${server.url}/`);
  assert.equal(response.status(), 200);
  assert.equal(await page.title(), 'civicline — 311 for your city');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'civicline');
  const bodyWidth = await page.evaluate(() => getComputedStyle(document.body).maxWidth);
  assert.notEqual(bodyWidth, 'none', 'site.css applied');
  await page.getByRole('link', { name: 'Health check' }).click();
  assert.match(await page.textContent('body'), /"status":"ok"/);
  assert.deepEqual(problems, []);
  await page.close();
});
