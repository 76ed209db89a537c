// The console's work tools in a real browser against the real binary: assigning and
// prioritising from the detail pane, bulk changes (and their all-or-nothing refusals), merging
// duplicates, the handoff inbox answering a resident over SMS, live updates (server-sent events
// across reconnects, polling when the stream is missing), the supervisors' CSV link and
// stats, axe-core on the queue and detail, and a page of a 10,000-request queue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sourceDir, startServer } from '../e2e/harness.mjs';
import { startFakeProvider } from '../e2e/fake_sms_provider.mjs';
import { chatReport, smsResident, smsSettings, sql } from '../e2e/residents.mjs';
import { launchBrowser } from './browser.mjs';
import { closeAll, createUser, newPage, unexpected, logIn as logInAs, waitMs } from './console_page.mjs';

const publicBase = 'http://311.example.test'; // http, so the session cookie is not Secure-only
const passwords = { ada: 'console password one', bea: 'console password two', sue: 'console password sup' };
const residentPhone = '+15550008888';
const axePath = path.join(sourceDir, 'tests/node_modules/axe-core/axe.min.js');

let server, fake, first, second;
const ids = [];

const logIn = (page, name, query = '') => logInAs(page, server, name, passwords[name], query);
const row = (page, id) => page.locator(`#queue-body tr[data-id="${id}"]`);

/** Waits until `id`'s row cell `cell` (a class or nth-child selector) reads `text`. */
function waitForCell(page, id, cell, text) {
  return page.waitForFunction(([id, cell, text]) =>
    document.querySelector(`#queue-body tr[data-id="${id}"] ${cell}`)?.textContent.includes(text),
  [id, cell, text], { timeout: waitMs });
}

/** Runs axe-core on the page; the serious and critical violations, summarised. */
async function axeViolations(page) {
  // page.evaluate is not bound by the page's CSP (addScriptTag's inline script would be).
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(await import('node:fs').then((fs) => fs.readFileSync(axePath, 'utf8')));
  }
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

before(async () => {
  fake = await startFakeProvider();
  server = await startServer({ overrides: smsSettings(publicBase, fake.url) });
  await createUser(server, 'ada', passwords.ada);
  await createUser(server, 'bea', passwords.bea);
  await createUser(server, 'sue', passwords.sue, 'supervisor');
  const texts = [];
  for (let i = 0; i < 8; i++) texts.push(`pothole at ${200 + i * 40} N Center St, deep and wide`);
  for (const text of texts) ids.push(await chatReport(server, text));
  first = await launchBrowser();
  second = await launchBrowser();
});

after(() => closeAll([first, second], [server, fake]));

test('an agent assigns a request to herself and makes it urgent; a second session sees it live', async (t) => {
  const page = await newPage(first);
  const other = await newPage(second);
  await logIn(page, 'ada');
  await logIn(other, 'bea');
  const id = ids[0];

  await row(page, id).getByRole('button', { name: id }).click();
  await page.locator('#detail-heading').getByText(id).waitFor();
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.locator('#edit-done').getByText('Assigned to ada.').waitFor();
  await waitForCell(page, id, 'td.assignee', 'ada');

  await page.locator('#edit-priority').selectOption('urgent');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#edit-done').getByText('Saved priority.').waitFor();
  await waitForCell(page, id, 'td.priority', 'urgent');
  assert.match(await row(page, id).getAttribute('class'), /priority-urgent/);
  assert.match(await row(page, id).locator('td.priority').textContent(), /▲▲/); // not colour alone
  assert.match(await page.locator('#detail-history').textContent(), /assignee[\s\S]*ada[\s\S]*priority[\s\S]*urgent/);

  // The other agent's queue shows both without a reload.
  const started = Date.now();
  await waitForCell(other, id, 'td.assignee', 'ada');
  await waitForCell(other, id, 'td.priority', 'urgent');
  const live = await other.evaluate(() => window.civiclineConsole.live);
  t.diagnostic(`second session saw it after ${Date.now() - started} ms (live: ${live})`);
  assert.equal(live, 'events', 'the server streams events: the console must not be polling');

  // An unknown team is refused with the API's message in the live region; a real one moves it.
  await page.locator('#edit-team').fill('no_such_team');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#edit-error').getByText(/team/).waitFor();
  assert.equal(await page.locator('#edit-error').getAttribute('role'), 'alert');
  await page.locator('#edit-team').fill('sanitation');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('#edit-done').getByText('Saved team.').waitFor();
  assert.equal(await page.locator('#edit-error').textContent(), '');
  await waitForCell(page, id, 'td:nth-child(6)', 'sanitation');

  // Filters in the URL: mine, then urgent or high; sort by priority puts it first.
  await page.locator('#filter-assignee').fill('me');
  await page.locator('#filter-assignee').press('Enter');
  await page.waitForURL(/assignee=me/);
  await page.waitForFunction(() => document.querySelectorAll('#queue-body tr[data-id]').length === 1, null, { timeout: waitMs });
  await page.locator('#filter-assignee').fill('');
  await page.locator('#filter-assignee').press('Enter');
  await page.locator('#filter-priority').selectOption('urgent,high');
  await page.waitForURL(/priority=urgent%2Chigh/);
  await page.waitForFunction(() => document.querySelectorAll('#queue-body tr[data-id]').length === 1, null, { timeout: waitMs });
  await page.locator('#filter-priority').selectOption('');
  await page.getByRole('button', { name: 'Priority' }).click();
  await page.waitForURL(/sort=-priority/);
  await page.waitForFunction((id) => document.querySelector('#queue-body tr[data-id]')?.dataset.id === id, id, { timeout: waitMs });
  assert.equal(await page.locator('th[data-sort="priority"]').getAttribute('aria-sort'), 'descending');

  // Unassign, and `a` focuses the assignee control of the selected request.
  await page.getByRole('button', { name: 'Unassign' }).click();
  await page.locator('#edit-done').getByText('Unassigned.').waitFor();
  await other.waitForFunction((id) =>
    document.querySelector(`#queue-body tr[data-id="${id}"] td.assignee`)?.textContent === '', id, { timeout: waitMs });
  await page.locator('#detail-heading').focus();
  await page.keyboard.press('Escape'); // closes the detail
  await page.locator('#detail').waitFor({ state: 'hidden' });
  await page.keyboard.press('j');
  await page.keyboard.press('a');
  await page.locator('#detail').waitFor();
  // The detail shows at once and focus moves once its data has loaded.
  await page.waitForFunction(() => document.activeElement?.id === 'edit-assignee', null, { timeout: waitMs });
  assert.deepEqual(unexpected(page), []);
  assert.deepEqual(unexpected(other), []);
  await page.close();
  await other.close();
});

test('bulk: acknowledge two requests at once; a refusal changes none and lists why', async () => {
  const page = await newPage(first);
  await logIn(page, 'ada', '?status=new&sort=created_at');
  const [a, b, c] = [ids[1], ids[2], ids[3]];
  await page.getByLabel(`Select ${a}`).check();
  await page.getByLabel(`Select ${b}`).check();
  await page.locator('#bulk-count').getByText('2 selected').waitFor();
  await page.locator('#bulk-status').selectOption('acknowledged');
  await page.locator('#bulk-note').fill('We have your report.');
  await page.getByRole('button', { name: 'Apply to selected' }).click();
  await page.locator('#bulk-done').getByText('Changed 2 requests.').waitFor();
  // The status=new view no longer holds them.
  await page.waitForFunction(([a, b]) => !document.querySelector(`#queue-body tr[data-id="${a}"]`)
    && !document.querySelector(`#queue-body tr[data-id="${b}"]`), [a, b], { timeout: waitMs });
  assert.equal(await page.locator('#bulk-count').textContent(), '0 selected');

  // All statuses: a (already acknowledged) refuses, so c stays new. `x` selects the row.
  await page.locator('#filter-status').selectOption('');
  await page.waitForURL((url) => !url.search.includes('status='));
  await row(page, a).waitFor();
  await page.getByLabel(`Select ${a}`).check();
  await row(page, c).getByRole('button', { name: c }).click();
  await page.locator('#detail-heading').getByText(c).waitFor();
  await page.keyboard.press('Escape');
  await page.keyboard.press('x');
  assert.equal(await page.getByLabel(`Select ${c}`).isChecked(), true);
  await page.locator('#bulk-status').selectOption('acknowledged');
  await page.getByRole('button', { name: 'Apply to selected' }).click();
  await page.locator('#bulk-error').getByText(/Nothing changed: 1 of 2 refused/).waitFor();
  const refused = await page.locator('#bulk-refused li').allTextContents();
  assert.equal(refused.length, 1);
  assert.ok(refused[0].startsWith(`${a}: `), refused[0]);
  assert.equal((await row(page, c).locator('td:nth-child(3)').textContent()), 'new');

  // Select-all on the page, then clear.
  await page.getByLabel('Select every request on this page').check();
  const onPage = await page.locator('#queue-body tr[data-id]').count();
  assert.equal(await page.locator('#bulk-count').textContent(), `${onPage} selected`);
  await page.getByRole('button', { name: 'Clear selection' }).click();
  assert.equal(await page.locator('#queue-body input.pick:checked').count(), 0);
  assert.deepEqual(unexpected(page), []);
  await page.close();
});

test('merge: a bad id shows the API refusal; a good one makes the request a duplicate', async () => {
  const page = await newPage(first);
  const [dup, original] = [ids[4], ids[5]];
  await logIn(page, 'ada', `?open=${dup}`);
  await page.locator('#detail-heading').getByText(dup).waitFor();
  await page.getByLabel("The original's tracking id").fill('311-999999');
  await page.getByRole('button', { name: 'Merge' }).click();
  await page.locator('#edit-error').getByText(/^Not merged: .+/).waitFor();
  const message = await page.locator('#edit-error').textContent();
  assert.match(message, /311-999999|unknown|no request/i, message);
  await page.getByLabel("The original's tracking id").fill(dup);
  await page.getByRole('button', { name: 'Merge' }).click();
  await page.waitForFunction((m) => document.querySelector('#edit-error').textContent.startsWith('Not merged')
    && document.querySelector('#edit-error').textContent !== m, message, { timeout: waitMs });

  await page.getByLabel("The original's tracking id").fill(original);
  await page.getByRole('button', { name: 'Merge' }).click();
  await page.locator('#edit-done').getByText(`Merged into ${original}`).waitFor();
  assert.match(await page.locator('#detail-heading').textContent(), /duplicate/);
  assert.match(await page.locator('#detail-fields').textContent(), new RegExp(`Duplicate of${original}`));
  await waitForCell(page, dup, 'td:nth-child(3)', 'duplicate');
  assert.deepEqual(unexpected(page), []);
  await page.close();
});

test('the handoff inbox answers a resident over SMS and gives the conversation back', async () => {
  const resident = smsResident(() => server, publicBase, residentPhone);
  await resident.say('I want to talk to a person');
  const page = await newPage(first);
  await logIn(page, 'ada');
  await page.getByRole('button', { name: /Handoff inbox/ }).click();
  await page.waitForURL(/view=handoffs/);
  assert.equal(await page.locator('#queue-table').isHidden(), true);
  const open = page.locator('#handoff-body button.open').first();
  await open.waitFor();
  assert.doesNotMatch(await page.locator('#handoffs').textContent(), /5550008888/); // never a phone number
  await open.click();
  await page.waitForURL(/handoff=\d+/);
  await page.locator('#handoff-transcript').getByText('I want to talk to a person').waitFor();

  const answer = 'Hi, this is Ada from 311. How can I help?';
  await page.getByLabel('Reply to the resident').fill(answer);
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.locator('#handoff-done').getByText('Reply sent.').waitFor();
  await fake.waitFor(() => fake.delivered().some((r) => r.params.To === residentPhone && r.params.Body === answer),
    waitMs, 'the staff reply by SMS');
  await page.locator('#handoff-heading').getByText(/answered/).waitFor();

  await page.getByRole('button', { name: 'Give back to the bot' }).click();
  await page.locator('#handoff-done').getByText('Given back to the bot.').waitFor();
  await page.locator('#handoff-body').getByText('Nobody is waiting for a person.').waitFor();
  assert.ok((await resident.say('hi')).length >= 1, 'the bot answers again');
  // Back to the queue with the tab.
  await page.getByRole('button', { name: 'Queue', exact: true }).click();
  await page.locator('#queue-table').waitFor();
  assert.deepEqual(unexpected(page), []);
  await page.close();
});

test('live updates come from server-sent events (across a reconnect), polling only without them', async (t) => {
  const page = await newPage(first);
  // The console's side of the stream, served by the test: the first connection opens and ends
  // at once (EventSource reconnects after `retry` ms); the second is held until the test has
  // changed a request, then carries one event about it.
  const connections = [];
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await page.route('**/api/v1/events', async (route) => {
    const n = connections.push(await route.request().allHeaders());
    if (n === 1) {
      await route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 300\n: keep-alive\n\nid: 41\nevent: request.created\ndata: {"tracking_id": "311-000000"}\n\n' });
      return;
    }
    if (n > 2) { await route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 600000\n\n' }); return; }
    const body = await released;
    await route.fulfill({ status: 200, contentType: 'text/event-stream', body });
  });
  const id = ids[6];
  await logIn(page, 'ada', `?open=${id}`);
  await page.locator('#detail-heading').getByText(id).waitFor();
  await page.waitForFunction(() => window.civiclineConsole.live === 'events', null, { timeout: waitMs });
  while (connections.length < 2) await new Promise((r) => setTimeout(r, 50));
  // EventSource reconnected by itself (the test cannot see Last-Event-ID: Chromium adds it
  // below the layer Playwright intercepts).
  t.diagnostic(`reconnect headers: last-event-id=${connections[1]['last-event-id']}`);

  // Someone else changes it; with the stream up, nothing polls, so the page does not know yet.
  const other = await newPage(second);
  await logIn(other, 'bea', `?open=${id}`);
  await other.locator('#edit-priority').selectOption('high');
  await other.getByRole('button', { name: 'Save changes' }).click();
  await other.locator('#edit-done').getByText('Saved priority.').waitFor();
  await new Promise((r) => setTimeout(r, 3500)); // longer than the polling interval
  assert.equal(await row(page, id).locator('td.priority').textContent(), 'normal');

  const started = Date.now();
  release(`id: 42\nevent: request.updated\ndata: ${JSON.stringify({ tracking_id: id, changes: ['priority'] })}\n\nretry: 600000\n\n`);
  await waitForCell(page, id, 'td.priority', 'high');
  await page.locator('#detail-fields').getByText('high').waitFor();
  const ms = Date.now() - started;
  assert.ok(ms < 3000, `refreshed ${ms} ms after the event`);
  assert.deepEqual(unexpected(page), []);
  await page.close();

  // Without the stream (the server answers 404), the console polls instead.
  const fallback = await newPage(first);
  await fallback.route('**/api/v1/events', (route) => route.fulfill({ status: 404, body: '' }));
  await logIn(fallback, 'ada');
  await fallback.waitForFunction(() => window.civiclineConsole.live === 'polling', null, { timeout: waitMs });
  await other.locator('#edit-priority').selectOption('low');
  await other.getByRole('button', { name: 'Save changes' }).click();
  await waitForCell(fallback, id, 'td.priority', 'low');
  for (const p of [other, fallback]) {
    assert.deepEqual(unexpected(p), []);
    await p.close();
  }
});

test('supervisors get a CSV link for the filtered queue and a stats table; agents do not', async () => {
  const page = await newPage(first);
  await logIn(page, 'sue', '?category=pothole&status=open');
  const link = page.getByRole('link', { name: 'Export these requests as CSV' });
  await link.waitFor();
  const href = await link.getAttribute('href');
  assert.match(href, /^\/api\/v1\/requests\.csv\?/);
  assert.match(href, /category=pothole/);
  assert.doesNotMatch(href, /cursor|limit/);
  const csv = await page.evaluate(async (href) => {
    const res = await fetch(href);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }, href);
  assert.equal(csv.status, 200);
  assert.match(csv.type, /text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.match(lines[0], /^id,status,category,priority/);
  assert.ok(lines.length > 1 && lines.slice(1).every((l) => l.includes(',pothole,')), csv.text.slice(0, 500));

  await page.getByText('Queue stats').click();
  const table = page.locator('#stats-body table');
  await table.waitFor();
  assert.match(await table.locator('caption').textContent(), /by category and age/);
  const pothole = await table.locator('tbody tr').filter({ hasText: 'pothole' }).locator('td').allTextContents();
  assert.equal(pothole.length, 6); // open, overdue, four age buckets
  assert.equal(Number(pothole[2]) + Number(pothole[3]) + Number(pothole[4]) + Number(pothole[5]), Number(pothole[0]));

  const agent = await newPage(second);
  await logIn(agent, 'bea');
  assert.equal(await agent.locator('#csv-link').isHidden(), true);
  assert.equal(await agent.locator('#stats').isHidden(), true);
  assert.deepEqual(unexpected(page), []);
  await page.close();
  await agent.close();
});

test('axe-core finds no serious or critical problems in the queue, the detail and the inbox', async (t) => {
  const page = await newPage(first);
  await logIn(page, 'ada');
  assert.deepEqual(await axeViolations(page), [], 'queue');
  await row(page, ids[7]).getByRole('button', { name: ids[7] }).click();
  await page.locator('#detail-heading').getByText(ids[7]).waitFor();
  await page.locator('#detail-history li').first().waitFor();
  assert.deepEqual(await axeViolations(page), [], 'detail');
  await page.getByRole('button', { name: /Handoff inbox/ }).click();
  await page.locator('#handoff-body tr').first().waitFor();
  assert.deepEqual(await axeViolations(page), [], 'handoff inbox');
  // Visible focus: a focused control draws an outline.
  await page.getByRole('button', { name: 'Queue', exact: true }).focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid');
  t.diagnostic('axe-core: 0 serious/critical violations on queue, detail and inbox');
  await page.close();
});

test('a queue of 10,000 open requests renders a 50-row page in under 200 ms', async (t) => {
  const now = new Date().toISOString();
  sql(server, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO service_requests (tracking_id, category, status, location_text, location_key, description,
      channel, language, created_at, updated_at, due_at, team, priority)
    SELECT printf('311-%06d', 500000 + i), 'litter', CASE i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'acknowledged' ELSE 'in_progress' END,
      i || ' Main St', i || ' main st', 'litter report ' || i, 'staff', 'en', '${now}', '${now}',
      CASE WHEN i % 7 = 0 THEN '2020-01-01T00:00:00.000Z' ELSE '2099-01-01T00:00:00.000Z' END,
      'sanitation', CASE WHEN i % 50 = 0 THEN 'urgent' WHEN i % 10 = 0 THEN 'high' ELSE 'normal' END FROM n`);
  assert.equal(sql(server, "SELECT count(*) FROM service_requests WHERE category = 'litter'"), '10000');
  const page = await newPage(first);
  const loadStarted = Date.now();
  await logIn(page, 'ada', '?status=open&sort=-priority');
  const loadMs = Date.now() - loadStarted;
  assert.match(await page.locator('#queue-total').textContent(), /^100\d\d requests \(showing 50/);
  // Three pages of each size. The default 50-row page (what the console shows) must always
  // render in under 200 ms. The 200-row maximum is only reported: on a quiet machine it takes
  // 110-170 ms, but with the rest of the suite and other builds on the same two cores it
  // swings from 200 to 600 ms, so a bound there would test the machine, not the console.
  for (const limit of [50, 200]) {
    await page.goto(`${server.url}/console/?status=open&limit=${limit}`);
    await page.waitForFunction((n) => document.querySelectorAll('#queue-body tr[data-id]').length === n, limit, { timeout: waitMs });
    for (let next = 2; next <= 3; next++) {
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.waitForFunction(([n, count]) => window.civiclineConsole.renders.filter((r) => r.rows === n).length >= count,
        [limit, next], { timeout: waitMs });
    }
    const renders = (await page.evaluate(() => window.civiclineConsole.renders)).filter((r) => r.rows === limit);
    const ms = renders.map((r) => r.ms);
    t.diagnostic(`10,000 open: render of a ${limit}-row page ${ms.map((m) => m.toFixed(1)).join(', ')} ms `
      + `(DOM built in ${renders.map((r) => r.buildMs.toFixed(1)).join(', ')} ms)`);
    if (limit === 50) assert.ok(Math.max(...ms) < 200, `${limit}-row page took ${ms} ms`);
  }

  t.diagnostic(`login to first rendered page (sorted by priority): ${loadMs} ms`);
  assert.deepEqual(unexpected(page), []);
  await page.close();
});
