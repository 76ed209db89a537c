// What supervisors read, end to end: GET /api/v1/stats (open requests by category, age and team,
// overdue counts, created vs closed per day) and the queue as CSV (RFC 4180, filtered like the
// list, formula cells neutralised, streamed across pages). Agents are refused both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { chatReport, sql as sqlOn } from './residents.mjs';
import { staffClient } from './staff_client.mjs';

let server, supervisor, agent;
const staff = staffClient(() => server);
const sql = (query) => sqlOn(server, query);
const ids = {};
const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString();

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF rows) into arrays of fields. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; ++i; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; ++i; }
    else field += c;
  }
  assert.equal(field, '', 'the last row ends with CRLF');
  return rows;
}

before(async () => {
  server = await startServer();
  supervisor = { session: await staff.login('sue', await staff.createUser('supervisor', 'sue')) };
  agent = { session: await staff.login('al', await staff.createUser('agent', 'al')) };
  ids.fresh = await chatReport(server, 'there is a pothole at 55 N Center St, pretty deep');
  ids.old = await chatReport(server, 'pothole at 1400 N Alma School Rd, "deep", and wide');
  ids.graffiti = await chatReport(server, 'graffiti on the wall at 12 W Main St, spray paint everywhere');
  ids.formula = await chatReport(server, 'pothole at 300 W Main St =cmd|\' /C calc\'!A0 huge one');
  // Ten days old and three days past due: counts as 8-30 days old and overdue.
  sql(`UPDATE service_requests SET created_at = '${daysAgo(10)}', due_at = '${daysAgo(3)}' WHERE tracking_id = '${ids.old}'`);
  const closed = await staff.api('PATCH', `/api/v1/requests/${ids.graffiti}`, { auth: supervisor, body: { status: 'resolved' } });
  assert.equal(closed.status, 200, closed.text);
});

after(async () => { await server?.close(); });

test('stats count open requests by category, age and team, overdue ones, and each day', async () => {
  const res = await staff.api('GET', '/api/v1/stats?days=14', { auth: supervisor });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.open, 3);
  assert.equal(res.body.overdue, 1);
  const pothole = res.body.by_category.find((c) => c.category === 'pothole');
  assert.deepEqual(pothole, { category: 'pothole', open: 3, overdue: 1, age_days: { '0-2': 2, '3-7': 0, '8-30': 1, '30+': 0 } });
  assert.equal(res.body.by_category.find((c) => c.category === 'graffiti'), undefined, 'closed: not open');
  assert.deepEqual(res.body.by_team, [{ team: 'streets', open: 3, overdue: 1, unassigned: 3 }]);
  assert.equal(res.body.daily.length, 14);
  const today = res.body.daily.at(-1);
  assert.equal(today.date, new Date().toISOString().slice(0, 10));
  assert.deepEqual([today.created, today.closed], [3, 1]);
  const tenDaysAgo = res.body.daily.find((d) => d.date === daysAgo(10).slice(0, 10));
  assert.equal(tenDaysAgo.created, 1);
  assert.equal(res.body.daily.reduce((sum, d) => sum + d.created, 0), 4);

  assert.equal((await staff.api('GET', '/api/v1/stats', { auth: supervisor })).body.daily.length, 30);
  for (const bad of ['days=0', 'days=366', 'days=x', 'weeks=2']) {
    assert.equal((await staff.api('GET', `/api/v1/stats?${bad}`, { auth: supervisor })).status, 400, bad);
  }
});

test('the queue exports as RFC 4180 CSV with the list filters; formula cells are neutralised', async () => {
  const res = await staff.api('GET', '/api/v1/requests.csv?category=pothole&sort=created_at', { auth: supervisor });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  assert.match(res.headers.get('content-disposition'), /attachment; filename="requests-\d{4}-\d{2}-\d{2}\.csv"/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const rows = parseCsv(res.text);
  assert.deepEqual(rows[0], ['id', 'status', 'category', 'priority', 'team', 'assignee', 'created_at', 'updated_at',
    'due_at', 'overdue', 'address', 'lat', 'long', 'channel', 'language', 'description', 'duplicate_of']);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), [ids.old, ids.fresh, ids.formula]);
  const old = rows.find((r) => r[0] === ids.old);
  assert.equal(old[9], 'true', 'overdue');
  assert.match(old[15], /"deep", and wide/, 'quotes and commas survive the round trip');
  const formula = rows.find((r) => r[0] === ids.formula);
  assert.ok(formula[15].startsWith("'") || !formula[15].startsWith('='), formula[15]);
  assert.ok(!rows.some((r) => r.some((f) => /^[=+@]/.test(f))), 'no cell starts a formula');
  const none = parseCsv((await staff.api('GET', '/api/v1/requests.csv?assignee=nobody', { auth: supervisor })).text);
  assert.equal(none.length, 1, 'only the header');
  assert.equal((await staff.api('GET', '/api/v1/requests.csv?sort=sideways', { auth: supervisor })).status, 400);
});

test('a large export streams every row across pages, once each', async () => {
  sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
       INSERT INTO service_requests (tracking_id, category, status, location_text, location_key, description,
         channel, language, created_at, updated_at, due_at)
       SELECT 'BULK-' || i, 'litter', 'new', i || ' Main St', i || ' main st', 'bulk ' || i, 'staff', 'en',
         '${daysAgo(1)}', '${daysAgo(1)}', NULL FROM n`);
  const res = await staff.api('GET', '/api/v1/requests.csv?category=litter', { auth: supervisor });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('transfer-encoding'), 'chunked');
  const rows = parseCsv(res.text).slice(1);
  assert.equal(rows.length, 2500);
  assert.equal(new Set(rows.map((r) => r[0])).size, 2500);
});

test('stats and exports are for supervisors and admins only', async () => {
  const keys = { staff: await staff.createKey('staff'), partner: await staff.createKey('partner'), admin: await staff.createKey('admin') };
  for (const route of ['/api/v1/stats', '/api/v1/requests.csv']) {
    assert.equal((await staff.api('GET', route)).status, 401, route);
    for (const auth of [agent, { key: keys.staff }, { key: keys.partner }]) {
      assert.equal((await staff.api('GET', route, { auth })).status, 403, route);
    }
    assert.equal((await staff.api('GET', route, { auth: { key: keys.admin } })).status, 200, route);
  }
});
