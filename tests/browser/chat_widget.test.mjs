// The embeddable chat widget in headless Chromium on the demo page /chat/: a visitor reports a
// pothole and gets a tracking id linked to its status page, a staff status change appears in
// the open widget within 2 seconds, a reload keeps the transcript, the Spanish flow works,
// the keyboard alone completes a report, axe-core finds no serious or critical violation
// (desktop and 375 px), the panel fits 320 px and 200% zoom, and the screenshots for the README are written to docs/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sourceDir, startServer } from '../e2e/harness.mjs';
import { staffClient } from '../e2e/staff_client.mjs';
import { launchBrowser } from './browser.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const screenshots = path.join(sourceDir, 'docs/screenshots');

let server, browser, cleanup, staffKey;

before(async () => {
  server = await startServer();
  staffKey = await staffClient(() => server).createKey('staff', 'widget-test');
  ({ browser, cleanup } = await launchBrowser());
  mkdirSync(screenshots, { recursive: true });
});
after(async () => {
  await browser?.close();
  cleanup?.();
  await server?.close();
});

/** A fresh visitor (no session cookie) on the demo page; the widget is loaded, not opened. */
async function visit({ width = 1280, height = 800 } = {}) {
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.setViewportSize({ width, height });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto(`${server.url}/chat/`);
  assert.equal(response.status(), 200);
  await page.locator('.launcher').waitFor();
  return { page, problems };
}

const log = (page) => page.locator('[role="log"]');
const cityMessages = (page) => page.locator('.msg.theirs');

/** Waits until the visitor's message number `n` + 1 is shown and the city answered it. */
function answered(page, n) {
  return page.waitForFunction((k) => {
    const root = document.querySelector('#civicline-chat').shadowRoot;
    const all = root.querySelectorAll('.msg');
    return root.querySelectorAll('.msg.mine').length > k && all[all.length - 1].matches('.theirs');
  }, n, { timeout: 10000 });
}

/** Types `text` in the widget and waits until the city answered it; resolves to the answer. */
async function say(page, text) {
  const before = await page.locator('.msg.mine').count();
  await page.getByLabel(/Your message|Su mensaje/).fill(text);
  await page.getByLabel(/Your message|Su mensaje/).press('Enter');
  await answered(page, before);
  return (await cityMessages(page).last().textContent());
}

async function seriousViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

let reported;  // {page, trackingId}: the desktop visitor's report, used by the next tests

test('a visitor reports a pothole with a typed address and gets a tracking id link', async () => {
  const { page, problems } = await visit();
  await page.getByRole('button', { name: 'Chat with the city' }).click();
  await assert.doesNotReject(log(page).waitFor());
  assert.match(await say(page, 'there is a pothole at 55 N Center St, pretty deep'), /YES/);
  // The confirmation offers YES/NO as buttons.
  await page.getByRole('group', { name: 'Quick replies' }).getByRole('button', { name: /^YES/ }).click();
  const link = page.locator('.msg.theirs a[href*="/r/311-"]').last();
  await link.waitFor({ timeout: 10000 });
  const trackingId = (await link.textContent()).trim();
  assert.match(trackingId, /^311-\d{6}$/);
  assert.equal(await link.getAttribute('href'), `${server.url}/r/${trackingId}`);
  assert.deepEqual(problems, []);
  await page.screenshot({ path: path.join(screenshots, 'chat-widget-desktop.png') });
  reported = { page, trackingId };
});

test('a staff status change appears in the open widget within 2 seconds', async (t) => {
  const { page, trackingId } = reported;
  const api = staffClient(() => server).api;
  const started = Date.now();
  const changed = await api('PATCH', `/api/v1/requests/${trackingId}`, {
    auth: { key: staffKey }, body: { status: 'in_progress', public_note: 'A crew is on the way.' },
  });
  assert.equal(changed.status, 200, changed.text);
  await page.locator('.msg.theirs', { hasText: 'in progress' }).waitFor({ timeout: 2000 });
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  t.diagnostic(`status change to widget: ${Date.now() - started} ms`);
});

test('a reload keeps the transcript', async () => {
  const { page } = reported;
  const before = await page.locator('.msg').allTextContents();
  await page.reload();
  await page.getByRole('button', { name: 'Chat with the city' }).click();
  await page.locator('.msg.theirs', { hasText: 'in progress' }).waitFor({ timeout: 5000 });
  assert.deepEqual(await page.locator('.msg').allTextContents(), before);
  await page.close();
});

test('a photo added in the widget is filed with the report; a file that is not a photo is refused in the chat', async () => {
  const { page, problems } = await visit();
  await page.getByRole('button', { name: 'Chat with the city' }).click();
  const picker = page.locator('input[type="file"]');
  // Not a photo, whatever its name says: the server checks the bytes and the chat says why.
  await picker.setInputFiles({ name: 'pothole.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
  await page.locator('.msg.notice', { hasText: 'The photo was not added.' }).waitFor({ timeout: 5000 });
  await picker.setInputFiles(path.join(sourceDir, 'tests/e2e/fixtures/pothole.jpg'));
  await page.locator('.msg.notice', { hasText: 'Photo added' }).waitFor({ timeout: 5000 });
  assert.match(await say(page, 'there is a pothole at 900 E Broadway Rd, pretty deep'), /YES/);
  await page.getByRole('group', { name: 'Quick replies' }).getByRole('button', { name: /^YES/ }).click();
  const link = page.locator('.msg.theirs a[href*="/r/311-"]').last();
  await link.waitFor({ timeout: 10000 });
  const trackingId = (await link.textContent()).trim();
  const detail = await staffClient(() => server).api('GET', `/api/v1/requests/${trackingId}`, { auth: { key: staffKey } });
  assert.equal(detail.status, 200, detail.text);
  const media = JSON.parse(detail.text).photos;
  assert.equal(media.length, 1, detail.text);
  assert.match(media[0], /\/api\/v1\/attachments\/att_/);
  assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
  await page.close();
});

test('the Spanish flow works, with the widget in Spanish', async () => {
  const { page } = await visit();
  await page.getByRole('button', { name: 'Chat with the city' }).click();
  await page.getByLabel('Language').selectOption('es');
  assert.equal(await page.getByRole('button', { name: 'Enviar' }).count(), 1);
  assert.match(await say(page, 'hola, quiero reportar un bache'), /dónde|dirección|lugar/i);
  assert.match(await say(page, 'en 1400 N Alma School Rd'), /Describa el problema/);
  assert.match(await say(page, 'es muy profundo, en el carril de bicicletas'), /Bache en 1400 N Alma School Rd/);
  assert.match(await say(page, 'sí'), /311-\d{6}/);
  await page.close();
});

test('the keyboard alone opens the chat, completes a report and closes it again', async () => {
  const { page } = await visit();
  const focusedClass = () => page.evaluate(() => {
    const inner = document.activeElement?.shadowRoot?.activeElement;
    return inner ? inner.className || inner.id : document.activeElement?.tagName;
  });
  for (let i = 0; i < 10 && (await focusedClass()) !== 'launcher'; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedClass(), 'launcher');
  await page.keyboard.press('Enter');
  assert.equal(await focusedClass(), 'text');
  await page.keyboard.type('there is a pothole at 900 S Dobson Rd, pretty deep');
  await page.keyboard.press('Enter');
  await answered(page, 0);
  assert.match(await cityMessages(page).last().textContent(), /YES/);
  // The confirmation's quick reply, reached with Tab from the message box (Shift+Tab back up).
  for (let i = 0; i < 12 && !/^YES/.test(await page.evaluate(() =>
    document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-label') ?? '')); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await page.keyboard.press('Enter');
  await page.locator('.msg.theirs a[href*="/r/311-"]').waitFor({ timeout: 10000 });
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#panel').isHidden(), true);
  assert.equal(await focusedClass(), 'launcher');
  await page.close();
});

test('axe-core finds no serious or critical violation in the open widget, desktop and 375 px', async () => {
  for (const [width, height, shot] of [[1280, 800, null], [375, 740, 'chat-widget-mobile.png']]) {
    const { page } = await visit({ width, height });
    await page.getByRole('button', { name: 'Chat with the city' }).click();
    await say(page, 'pothole at 55 N Center St');
    assert.deepEqual(await seriousViolations(page), [], `at ${width} px`);
    if (shot) await page.screenshot({ path: path.join(screenshots, shot) });
    await page.close();
  }
  for (const name of ['chat-widget-desktop.png', 'chat-widget-mobile.png']) {
    assert.ok(statSync(path.join(screenshots, name)).size > 5000, name);
  }
});

test('the panel fits a 320 px phone and a 1280 px screen at 200% zoom', async () => {
  // 200% zoom of 1280x800 leaves 640x400 CSS pixels.
  for (const [width, height] of [[320, 568], [640, 400]]) {
    const { page } = await visit({ width, height });
    await page.getByRole('button', { name: 'Chat with the city' }).click();
    await say(page, 'hello');
    for (const selector of ['#panel', '.send', '.close', '[role="log"]']) {
      const box = await page.locator(selector).boundingBox();
      assert.ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 &&
        box.y + box.height <= height + 0.5, `${selector} at ${width}x${height}: ${JSON.stringify(box)}`);
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await page.close();
  }
});

test('the widget (JS and CSS) stays under 30 KB and sets no HTML from text', () => {
  const dir = path.join(sourceDir, 'server/web/chat');
  const js = readFileSync(path.join(dir, 'widget.js'), 'utf8');
  const size = statSync(path.join(dir, 'widget.js')).size + statSync(path.join(dir, 'widget.css')).size;
  assert.ok(size < 30 * 1024, `${size} bytes`);
  assert.doesNotMatch(js, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
});
