// Injection: SQL-looking text in every field a resident, partner or staff member writes (and in
// every query parameter) is stored and returned verbatim with no SQL error; HTML and script in
// those fields never reach a page as markup; CSV exports neutralise formulas; CR/LF in names
// and notes never reach a response header, an outgoing webhook's or an SMS provider's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, waitFor } from './harness.mjs';
import { startFakeProvider } from './fake_sms_provider.mjs';
import { chatVisitor, smsResident, smsSettings, sql } from './residents.mjs';
import { staffClient } from './staff_client.mjs';

const publicBase = 'https://311.example.test';
const SQL = [`'); DROP TABLE service_requests; --`, `" OR "1"="1`, `1 UNION SELECT password_hash FROM staff_users --`];
const HTML = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2">&amp;'"`;
const CRLF = 'line one\r\nX-Injected: yes\r\n\r\nsmuggled';
const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+cmd|\' /C calc\'!A0', '-2+3', '@SUM(1+1)', '\t=1+1', '\r=2+2'];  // distinct: equal reports are merged

let server, fake, staff, keys, receiver;
const ids = {};
const hooks = [];

before(async () => {
  fake = await startFakeProvider();
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { hooks.push({ headers: req.headers, raw: req.rawHeaders, body }); res.end('ok'); });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  server = await startServer({
    overrides: {
      ...smsSettings(publicBase, fake.url),
      webhooks: { allow_private_hosts: ['127.0.0.1'], poll_interval_ms: 50, retry_jitter_percent: 0 },
      public: { export_descriptions: true, cache_seconds: 0 },
    },
  });
  staff = staffClient(() => server);
  keys = { admin: await staff.createKey('admin'), partner: await staff.createKey('partner') };
  const hook = await staff.api('POST', '/api/v1/webhooks', {
    auth: { key: keys.admin }, body: { url: `http://127.0.0.1:${receiver.address().port}/hooks`, events: ['request.*'] },
  });
  assert.equal(hook.status, 201, hook.text);
});
after(async () => {
  await server?.close();
  await fake?.close?.();
  receiver?.close();
});

const admin = (method, route, options = {}) => staff.api(method, route, { auth: { key: keys.admin }, ...options });

/** Every response of the test is checked for a header smuggled in through CR/LF. */
function assertNoInjectedHeader(headers, what) {
  for (const [name] of headers) assert.notEqual(name.toLowerCase(), 'x-injected', what);
}

async function open311Post(params) {
  const res = await fetch(`${server.url}/open311/v2/requests.json`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: keys.partner, ...params }).toString(),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body[0].service_request_id;
}

/** Reports by SMS, answering the bot until it asks to confirm; the tracking id. */
async function smsReport(from, text) {
  const resident = smsResident(() => server, publicBase, from);
  let replies = await resident.say(text);
  for (const answer of ['big and deep, right in the lane', 'no']) {
    if (replies.join(' ').includes('YES')) break;
    replies = await resident.say(answer);
  }
  const done = (await resident.say('yes')).join(' ');
  return done.match(/311-\d{6}/)[0];
}

/** Reports by web chat the same way. */
async function chatReport(text) {
  const visitor = chatVisitor(() => server);
  let reply = await visitor.say(text);
  for (const answer of ['no', 'large']) {
    if (reply.texts.join(' ').includes('YES')) break;
    reply = await visitor.say(answer);
  }
  return (await visitor.say('yes')).tracking_id;
}

function assertDatabaseIntact() {
  assert.equal(sql(server, 'PRAGMA integrity_check'), 'ok');
  assert.ok(Number(sql(server, 'SELECT count(*) FROM service_requests')) >= 3);
  assert.ok(Number(sql(server, 'SELECT count(*) FROM staff_users')) >= 0);
  assert.equal(sql(server, "SELECT count(*) FROM sqlite_master WHERE name IN ('service_requests', 'staff_users', 'api_keys')"), '3');
}

test('SQL-looking text from SMS, web chat and Open311 is stored and shown verbatim', async () => {
  const smsText = `pothole at 55 N Center St ${SQL[0]} ${HTML}`;
  const chatText = `pothole at 100 W Main St ${SQL[1]} ${HTML}`;
  ids.sms = await smsReport('+15550007777', smsText);
  ids.chat = await chatReport(chatText);
  const services = await (await fetch(`${server.url}/open311/v2/services.json`)).json();
  const description = `${SQL[2]} ${HTML}`;
  const address = `12 W Main St ${SQL[0]}`;
  ids.open311 = await open311Post({ service_code: services[0].service_code, description, address_string: address, first_name: SQL[1] });

  const sms = await admin('GET', `/api/v1/requests/${ids.sms}`);
  assert.equal(sms.status, 200);
  assert.equal(sms.body.transcript[0].text, smsText, 'the SMS transcript keeps the text as sent');
  const chat = await admin('GET', `/api/v1/requests/${ids.chat}`);
  assert.equal(chat.body.transcript[0].text, chatText);
  const partner = await admin('GET', `/api/v1/requests/${ids.open311}`);
  assert.equal(partner.body.description, description);
  assert.equal(partner.body.address, address);
  const open311 = await (await fetch(`${server.url}/open311/v2/requests/${ids.open311}.json`)).json();
  assert.equal(open311[0].description, description);
  assertDatabaseIntact();
});

test('SQL-looking staff notes and query parameters are bound, never run', async () => {
  const note = `${SQL[0]} ${HTML} ${CRLF}`;
  const patched = await admin('PATCH', `/api/v1/requests/${ids.sms}`, {
    body: { status: 'in_progress', internal_note: note, public_note: `${SQL[1]} ${HTML} ${CRLF}` },
  });
  assert.equal(patched.status, 200, patched.text);
  assertNoInjectedHeader(patched.headers, 'PATCH answer');
  const detail = await admin('GET', `/api/v1/requests/${ids.sms}`);
  const entry = detail.body.history.find((h) => h.internal_note === note);
  assert.ok(entry, `the internal note is kept verbatim: ${JSON.stringify(detail.body.history).slice(0, 300)}`);

  // Search text, filters and sort: found by the literal text, wildcards are literal too.
  const found = await admin('GET', `/api/v1/requests?q=${encodeURIComponent('DROP TABLE service_requests; --')}`);
  assert.equal(found.status, 200);
  assert.ok(found.body.items.some((r) => r.id === ids.sms));
  // "pothole" is in two descriptions: LIKE's wildcards would find them.
  assert.equal((await admin('GET', `/api/v1/requests?q=${encodeURIComponent('pot%hole')}`)).body.items.length, 0, '% is not a wildcard');
  assert.equal((await admin('GET', `/api/v1/requests?q=${encodeURIComponent('p_thole')}`)).body.items.length, 0, '_ is not a wildcard');
  assert.ok((await admin('GET', '/api/v1/requests?q=pothole')).body.items.length >= 2);
  assert.equal((await admin('GET', `/api/v1/requests?q=${encodeURIComponent("' OR '1'='1")}`)).body.items.length, 0);
  for (const [param, value, status] of [
    ['sort', 'created_at; DROP TABLE service_requests', 400], ['sort', '(SELECT 1)', 400],
    ['status', "new' OR '1'='1", 400], ['category', SQL[0], 200], ['channel', SQL[1], 400],
    ['priority', SQL[0], 400], ['created_after', SQL[0], 400], ['cursor', SQL[0], 400], ['limit', '1; DROP TABLE x', 400],
    ['team', SQL[0], 200], ['assignee', SQL[1], 200],
  ]) {
    const res = await admin('GET', `/api/v1/requests?${param}=${encodeURIComponent(value)}`);
    assert.ok(res.status === status || (status === 400 && res.status === 422), `${param}=${value} -> ${res.status} ${res.text.slice(0, 120)}`);
    if (res.status === 200) assert.equal(res.body.items.length, 0, `${param}=${value} matches nothing`);
  }
  for (const route of [`requests.json?service_code=${encodeURIComponent(SQL[0])}`, `requests.json?status=${encodeURIComponent(SQL[1])}`,
    `requests.json?service_request_id=${encodeURIComponent(SQL[2])}`, `requests.xml?start_date=${encodeURIComponent(SQL[0])}`,
    `requests/${encodeURIComponent(SQL[0])}.json`, `services/${encodeURIComponent(SQL[1])}.json`]) {
    const res = await fetch(`${server.url}/open311/v2/${route}`);
    assert.ok([200, 400, 404].includes(res.status), `${route} -> ${res.status}`);
    const text = await res.text();
    if (res.status === 200 && route.endsWith('.json')) assert.deepEqual(JSON.parse(text), []);
  }
  const csv = await fetch(`${server.url}/data/requests.csv?since=${encodeURIComponent(SQL[0])}`);
  assert.ok([200, 400].includes(csv.status));
  await csv.arrayBuffer();
  assert.equal(server.events().filter((e) => e.event === 'handler_failed').length, 0, 'no SQL error reached a handler');
  assertDatabaseIntact();
});

test('HTML and script in every field reach pages as text only, under a strict CSP', async () => {
  // The server-rendered status page shows the description and the public note, escaped.
  const page = await fetch(`${server.url}/r/${ids.sms}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.ok(html.includes('&lt;script&gt;window.pwned=1&lt;/script&gt;'), 'the payload is shown as text');
  assert.ok(!html.includes('<script>window.pwned') && !html.includes('<img src=x'), 'and never as markup');
  for (const path of ['/', '/console/', '/public/', '/chat/', `/r/${ids.sms}`, '/api/v1/requests']) {
    const res = await fetch(`${server.url}${path}`);
    await res.arrayBuffer();
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
  // The console and public pages build the DOM from JSON with text, never with HTML sinks:
  // every script they load is checked, following imports.
  const seen = new Set();
  const queue = ['/console/', '/public/', '/chat/'];
  while (queue.length > 0) {
    const path = queue.shift();
    if (seen.has(path)) continue;
    seen.add(path);
    const text = await (await fetch(`${server.url}${path}`)).text();
    const base = new URL(path, server.url);
    const refs = [...text.matchAll(/<script[^>]+src="([^"]+)"/g), ...text.matchAll(/(?:import|from)\s*\(?\s*['"](\.{0,2}\/[^'"]+\.m?js)['"]/g)];
    for (const [, ref] of refs) queue.push(new URL(ref, base).pathname);
    if (path.endsWith('.js') || path.endsWith('.mjs')) {
      assert.doesNotMatch(text, /\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, `${path} uses an HTML sink`);
    }
  }
  assert.ok([...seen].filter((p) => p.endsWith('.js')).length >= 5, `scripts checked: ${[...seen]}`);
  // JSON answers carry the payload JSON-escaped under a JSON type; XML escapes it.
  const json = await fetch(`${server.url}/open311/v2/requests/${ids.open311}.json`);
  assert.match(json.headers.get('content-type'), /^application\/json/);
  const xml = await (await fetch(`${server.url}/open311/v2/requests/${ids.open311}.xml`)).text();
  assert.ok(xml.includes('&lt;script&gt;') && !xml.includes('<script>'), 'XML escapes the markup');
});

/** RFC 4180 rows of a CSV text. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

test('CSV exports neutralise cells a spreadsheet would run as formulas', async () => {
  const services = await (await fetch(`${server.url}/open311/v2/services.json`)).json();
  for (const formula of FORMULAS) {
    const id = await open311Post({ service_code: services[0].service_code, description: formula, address_string: formula });
    const res = await admin('PATCH', `/api/v1/requests/${id}`, { body: { status: 'in_progress', public_note: formula } });
    assert.equal(res.status, 200, res.text);
  }
  for (const route of ['/data/requests.csv', '/api/v1/requests.csv']) {
    const res = await admin('GET', route);
    assert.equal(res.status, 200, `${route}: ${res.text.slice(0, 200)}`);
    const rows = parseCsv(res.text);
    let neutralised = 0;
    for (const cell of rows.flat()) {
      if (/^[=+\-@\t\r]/.test(cell)) assert.match(cell, /^[+-]?\d+(\.\d+)?$/, `${route}: a live formula cell ${JSON.stringify(cell)}`);
      if (FORMULAS.some((f) => cell === `'${f}`)) neutralised++;
    }
    assert.ok(neutralised >= FORMULAS.length, `${route}: ${neutralised} neutralised cells`);
  }
});

test('CR/LF in names and notes never becomes a header: responses, webhooks, SMS', async () => {
  const user = await admin('POST', '/api/v1/users', { body: { name: 'eve\r\nX-Injected: yes', role: 'agent' } });
  assert.equal(user.status, 422, 'a login name cannot hold CR/LF');
  const hook = await admin('POST', '/api/v1/webhooks', { body: { url: 'http://127.0.0.1:9/x\r\nX-Injected: yes' } });
  assert.ok([400, 422].includes(hook.status), `webhook URL with CR/LF -> ${hook.status}`);
  const key = await admin('POST', '/api/v1/api-keys', { body: { name: 'k\r\nX-Injected: yes', role: 'staff' } });
  assert.ok([201, 422].includes(key.status));
  assertNoInjectedHeader(key.headers, 'API key answer');
  // The notes with CR/LF from the earlier test went out: as JSON to the webhook receiver...
  const delivery = await waitFor('a webhook carrying the CR/LF note',
    () => hooks.find((h) => h.body.includes('X-Injected: yes')), 15000);
  assert.ok(!('x-injected' in delivery.headers));
  for (let i = 0; i < delivery.raw.length; i += 2) assert.doesNotMatch(delivery.raw[i + 1], /[\r\n]/);
  assert.ok(JSON.stringify(JSON.parse(delivery.body)).includes('\\r\\nX-Injected: yes'), 'the note is inside the JSON body');
  // ...and in the form body of the resident's SMS (the public note is texted).
  const texted = await waitFor('the SMS with the CR/LF note',
    () => fake.received.find((r) => (r.params.Body ?? r.params.text ?? '').includes('X-Injected: yes')), 15000);
  assert.ok(texted.params.Body.includes('\r\nX-Injected: yes') || texted.params.Body.includes('\nX-Injected: yes'));
  assert.ok(!('x-injected' in (texted.headers ?? {})), 'no header smuggled to the SMS provider');
  // Every page that shows the note answers without the smuggled header.
  for (const route of [`/r/${ids.sms}`, `/api/v1/requests/${ids.sms}`, '/data/requests.csv', '/data/requests.json',
    `/open311/v2/requests/${ids.sms}.json`]) {
    const res = await admin('GET', route);
    assertNoInjectedHeader(res.headers, route);
  }
});
