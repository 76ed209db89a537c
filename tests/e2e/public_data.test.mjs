// The public progress data end to end: residents report over SMS and web chat with their
// names, phone numbers and e-mail addresses in the text; staff close one; then summary.json,
// the dashboard page, the CSV and JSON exports and `civicline export` are read the way the
// public reads them, and none of them may contain any of that personal data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startServer } from './harness.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chatVisitor, smsResident, smsSettings } from './residents.mjs';

const publicBase = 'https://311.example.test';

/** SQL on the server's database; waits for the server's writer instead of failing "locked". */
function sql(srv, query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', path.join(srv.dir, 'civicline.db'), query])
    .toString().trim();
}

let server;
let adminKey;
let agentKey;
const ids = {};

// Everything personal the residents (and a careless staff note) put in.
const residentPhone = '+15550123456';
const pii = [
  residentPhone, '5550123456', '555-0123',
  'Maria Gonzalez', 'maria.gonzalez@example.com', '555-867-5309', '8675309',
  'Jonathan Whitfield', 'jwhit@example.org', '602-555-0199', '6025550199',
  'ops.lead@example.net', '480-555-0142',
];

const csvHeader = 'service_request_id,requested_datetime,updated_datetime,closed_datetime,status,' +
  'status_notes,service_code,service_name,source,address,lat,long,agency_responsible';

async function cli(args, input) {
  const out = await runCli([...args, '--config', server.configFile], { input });
  assert.equal(out.code, 0, out.stderr);
  return out;
}

async function get(route, headers = {}) {
  const res = await fetch(`${server.url}${route}`, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function summary(query = '') {
  const res = await get(`/public/api/summary.json${query}`);
  assert.equal(res.status, 200, res.text);
  return JSON.parse(res.text);
}

/** RFC 4180: fields separated by commas, quoted fields may hold commas, CRLF and "" quotes. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  assert.equal(field, '', 'the last row ends with CRLF');
  return rows;
}

function assertNoPii(what, text) {
  for (const secret of pii) {
    assert.ok(!text.includes(secret), `${what} contains "${secret}"`);
  }
}

before(async () => {
  server = await startServer({ overrides: { ...smsSettings(publicBase), public: { cache_seconds: 3600 } } });
  adminKey = (await cli(['create-api-key', '--role', 'admin', '--name', 'web-editor'])).stdout.trim().split('\n').at(-1);
  agentKey = (await cli(['create-api-key', '--role', 'staff', '--name', 'crm'])).stdout.trim().split('\n').at(-1);

  const resident = smsResident(() => server, publicBase, residentPhone);
  const first = (await resident.say('pothole at 1234 Main St, this is Maria Gonzalez, ' +
    'email maria.gonzalez@example.com or call 555-867-5309')).join(' ');
  assert.match(first, /YES|size|big/i, first);
  let reply = first;
  for (const answer of ['large']) if (!/YES/.test(reply)) reply = (await resident.say(answer)).join(' ');
  const created = (await resident.say('yes')).join(' ');
  ids.sms = created.match(/311-\d{6}/)?.[0];
  assert.ok(ids.sms, created);

  const visitor = chatVisitor(() => server);
  let chat = await visitor.say("the streetlight is out at 55 N Center St. I'm Jonathan Whitfield, " +
    'jwhit@example.org, 602-555-0199');
  for (const answer of ['no', 'out', 'none']) if (!/YES/.test(chat.texts.join(' '))) chat = await visitor.say(answer);
  assert.match(chat.texts.join(' '), /YES/, JSON.stringify(chat));
  ids.chat = (await visitor.say('yes')).tracking_id;
  assert.match(ids.chat, /^311-\d{6}$/);

  // The personal data really is stored (in the description), so the scans below mean something.
  assert.match(sql(server, `SELECT description FROM service_requests WHERE tracking_id = '${ids.sms}'`), /Maria Gonzalez/);
  assert.match(sql(server, `SELECT description FROM service_requests WHERE tracking_id = '${ids.chat}'`), /jwhit@example\.org/);

  // Staff close the SMS report with a public note that carelessly names contact details.
  await cli(['request', 'set-status', ids.sms, 'resolved', '--public-note',
    'Filled. Questions: ops.lead@example.net or 480-555-0142']);
  // A request whose location text would be a spreadsheet formula with quotes and a comma.
  sql(server, "INSERT INTO service_requests (tracking_id, category, status, location_text, location_key, " +
    "description, channel, language, created_at, updated_at, due_at) VALUES ('311-900001', 'graffiti', 'new', " +
    "'=HYPERLINK(\"http://x\"), Main', 'k', 'x', 'staff', 'en', '2025-01-02T00:00:00.000Z', " +
    "'2025-01-02T00:00:00.000Z', '2025-01-07T00:00:00.000Z')");
});

after(async () => {
  await server?.close();
});

test('summary.json counts what residents reported and staff closed', async () => {
  // The named periods and the day index (every day of the last 400) were counted when the
  // server started, before anyone reported anything, and stand for public.cache_seconds (an
  // hour here): a custom year up to today is cut from that index...
  const day = (d) => d.toISOString().slice(0, 10);
  const today = new Date();
  const year = await summary(`?from=${day(new Date(today - 364 * 86400000))}&to=${day(today)}`);
  assert.equal(year.period.name, 'custom');
  assert.equal(year.totals.received, 0);
  // ...while a range that starts before the index is counted from the database now.
  const s = await summary(`?from=${day(new Date(today - 500 * 86400000))}&to=${day(today)}`);
  assert.equal(s.city, 'Demo City');
  assert.equal(s.period.name, 'custom');
  assert.equal(s.totals.received, 2);
  assert.equal(s.totals.closed, 1);
  assert.equal(s.totals.still_open, 1);
  assert.equal(s.totals.open_now, 2);  // the chat report and the January one
  assert.equal(s.totals.closed_with_sla, 1);
  assert.equal(s.totals.closed_on_time, 1);
  assert.equal(s.totals.on_time_share, 1);
  assert.equal(typeof s.totals.median_hours_to_close, 'number');
  assert.ok(s.totals.median_hours_to_close < 1);
  const pothole = s.categories.find((c) => c.code === 'pothole');
  assert.deepEqual([pothole.received, pothole.closed, pothole.sla_hours], [1, 1, 72]);
  assert.equal(pothole.name.es, 'Bache');
  assert.deepEqual(s.channels.slice(0, 4).map((c) => [c.channel, c.received]),
    [['sms', 1], ['web_chat', 1], ['open311', 0], ['staff', 0]]);
  assert.equal(s.weekly.length, Math.ceil(501 / 7));
  assert.equal(s.weekly.reduce((n, w) => n + w.received, 0), 2);
  assert.equal(s.backlog.reduce((n, b) => n + b.open, 0), 2);
  assert.match(s.notes.en, /Demo City/);
  assert.match(s.notes.es, /Demo City/);
});

test('summary.json: periods, refusals, and a cache that admins clear by editing the notes', async () => {
  const res = await get('/public/api/summary.json?period=7');
  assert.equal(res.status, 400);
  assert.match(JSON.parse(res.text).error.message, /30, 90 or 365/);
  assert.equal((await get('/public/api/summary.json?from=2026-01-01')).status, 400);
  const custom = await summary('?from=2025-01-01&to=2025-01-31');
  assert.equal(custom.period.name, 'custom');
  assert.equal(custom.totals.received, 1);  // the January 2025 one
  // Counted at start, before the reports: the cache answers for an hour.
  const cached = await get('/public/api/summary.json');
  assert.equal(JSON.parse(cached.text).totals.received, 0);
  assert.match(cached.headers.get('cache-control'), /max-age=3600/);
  assert.equal(cached.headers.get('access-control-allow-origin'), '*');
  const again = await summary();
  assert.equal(again.generated_at, JSON.parse(cached.text).generated_at, 'served from the cache');

  const put = (auth, body) => fetch(`${server.url}/api/v1/public/notes`, {
    method: 'PUT', headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify(body),
  });
  assert.equal((await put(null, { en: 'x' })).status, 401);
  assert.equal((await put(agentKey, { en: 'x' })).status, 403);
  assert.equal((await put(adminKey, { fr: 'x' })).status, 422);
  const saved = await put(adminKey, { en: 'We added a night crew.', es: 'Añadimos un turno de noche.' });
  assert.equal(saved.status, 200);
  assert.equal((await saved.json()).notes.es, 'Añadimos un turno de noche.');
  const fresh = await summary();
  assert.equal(fresh.notes.en, 'We added a night crew.');
  assert.equal(fresh.totals.received, 2, 'counted again after the notes changed');
  assert.notEqual(fresh.generated_at, again.generated_at, 'a note change clears the cache');
  // ...and the day index: the custom year is up to date too.
  const today = new Date();
  const year = await summary(`?from=${new Date(today - 364 * 86400000).toISOString().slice(0, 10)}` +
    `&to=${today.toISOString().slice(0, 10)}`);
  assert.equal(year.totals.received, 2);
  assert.equal(year.totals.closed, 1);
});

test('the CSV export is RFC 4180 with the dataset headers, block-level addresses and neutralised formulas', async () => {
  const res = await get('/data/requests.csv');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  assert.equal(res.headers.get('transfer-encoding'), 'chunked');
  assert.ok(res.text.startsWith(`${csvHeader}\r\n`));
  const rows = parseCsv(res.text);
  assert.deepEqual(rows[0], csvHeader.split(','));
  assert.equal(rows.length, 4);
  for (const row of rows) assert.equal(row.length, 13);
  const byId = Object.fromEntries(rows.slice(1).map((r) => [r[0], Object.fromEntries(rows[0].map((h, i) => [h, r[i]]))]));
  const sms = byId[ids.sms];
  assert.equal(sms.status, 'resolved');
  assert.equal(sms.source, 'sms');
  assert.equal(sms.service_code, 'pothole');
  assert.equal(sms.service_name, 'Pothole');
  assert.equal(sms.agency_responsible, 'Streets');
  assert.equal(sms.address, '1200 block of Main St');
  assert.equal(sms.status_notes, 'Filled. Questions: [email] or [phone]');
  assert.match(sms.closed_datetime, /^\d{4}-\d\d-\d\dT/);
  assert.equal(byId[ids.chat].address, '0 block of N Center St');
  assert.equal(byId[ids.chat].closed_datetime, '');
  // The formula became text, and its quotes and comma survived the quoting.
  assert.equal(byId['311-900001'].address, `'=HYPERLINK("http://x"), Main`);
  assert.ok(res.text.includes(`"'=HYPERLINK(""http://x""), Main"`));

  const since = parseCsv((await get('/data/requests.csv?since=2026-06-01')).text);
  assert.equal(since.length, 3, 'the January request is left out');
  assert.equal((await get('/data/requests.csv?since=yesterday')).status, 400);
});

test('the JSON export has the same rows and columns', async () => {
  const res = await get('/data/requests.json');
  assert.equal(res.status, 200);
  const rows = JSON.parse(res.text);
  assert.equal(rows.length, 3);
  assert.deepEqual(Object.keys(rows[0]), csvHeader.split(','));
  const sms = rows.find((r) => r.service_request_id === ids.sms);
  assert.equal(sms.address, '1200 block of Main St');
  assert.equal(JSON.parse((await get('/data/requests.json?since=2100-01-01')).text).length, 0);
});

test('civicline export writes the same data to stdout', async () => {
  const csv = await cli(['export', '--format', 'csv']);
  assert.equal(csv.stdout, (await get('/data/requests.csv')).text);
  assert.match(csv.stderr, /exported 3 request/);
  const json = await cli(['export', '--format', 'json', '--since', '2026-06-01']);
  assert.equal(JSON.parse(json.stdout).length, 2);
  const bad = await runCli(['export', '--format', 'xml', '--config', server.configFile]);
  assert.equal(bad.code, 64);
  const badDate = await runCli(['export', '--since', '2026-02-31', '--config', server.configFile]);
  assert.equal(badDate.code, 64);
});

test('a city that publishes descriptions gets them with contact details and names masked', async () => {
  // The same database, read with public.export_descriptions turned on.
  const config = JSON.parse(readFileSync(server.configFile, 'utf8'));
  config.public = { ...config.public, export_descriptions: true };
  const configFile = path.join(server.dir, 'with-descriptions.json');
  writeFileSync(configFile, JSON.stringify(config));
  const out = await runCli(['export', '--format', 'json', '--config', configFile]);
  assert.equal(out.code, 0, out.stderr);
  const rows = JSON.parse(out.stdout);
  const sms = rows.find((r) => r.service_request_id === ids.sms);
  const chat = rows.find((r) => r.service_request_id === ids.chat);
  assert.match(sms.description, /pothole/i);
  assert.match(sms.description, /this is \[name\]/);
  assert.match(sms.description, /\[email\]/);
  assert.match(sms.description, /\[phone\]/);
  assert.match(chat.description, /I'm \[name\]/);
  assertNoPii('the export with descriptions', out.stdout);
  const csv = await runCli(['export', '--format', 'csv', '--config', configFile]);
  assert.ok(csv.stdout.startsWith(`${csvHeader},description\r\n`));
  assertNoPii('the CSV export with descriptions', csv.stdout);
  // Off (the default): no description column at all.
  assert.equal((await get('/data/requests.json')).text.includes('"description"'), false);
});

test('no phone number, name or e-mail reaches anything the public can read', async () => {
  const outputs = {
    'the dashboard page': (await get('/public/')).text,
    'the dashboard script': (await get('/public/public.js')).text,
    'summary.json (30 days)': (await get('/public/api/summary.json')).text,
    'summary.json (365 days)': (await get('/public/api/summary.json?period=365')).text,
    'requests.csv': (await get('/data/requests.csv')).text,
    'requests.json': (await get('/data/requests.json')).text,
    'export --format csv': (await cli(['export', '--format', 'csv'])).stdout,
    'export --format json': (await cli(['export', '--format', 'json'])).stdout,
  };
  for (const [what, text] of Object.entries(outputs)) {
    assert.ok(text.length > 0, what);
    assertNoPii(what, text);
    assert.ok(!/Maria|Jonathan|Whitfield|Gonzalez/.test(text), `${what} names a resident`);
  }
});
