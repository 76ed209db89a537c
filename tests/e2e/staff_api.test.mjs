// The staff REST API end to end: accounts and keys made with the CLI, login sessions with
// CSRF, each role's allowed and refused calls, the request queue's filters and pages, the
// detail with the reporter's transcript, and a status change that reaches an SMS resident
// through the (fake) provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startServer } from './harness.mjs';
import { staffClient } from './staff_client.mjs';
import { startFakeProvider } from './fake_sms_provider.mjs';
import { chatReport as report, smsResident, sql as sqlOn, twilioAccount } from './residents.mjs';

const { authToken, accountSid } = twilioAccount;
const publicBase = 'https://311.example.test';
const adminPassword = 'correct horse battery staple';

let server;
let fake;
const keys = {};
let agentPassword;

const sql = (query) => sqlOn(server, query);

const staff = staffClient(() => server);
const { api, login, cli } = staff;

const chatReport = (text) => report(server, text);

/** A resident texting from `from` over Twilio; resolves to the pothole's tracking id. */
async function smsReport(from) {
  const resident = smsResident(() => server, publicBase, from);
  const say = async (body) => (await resident.say(body)).join(' ');
  assert.match(await say('pothole at 300 W Main St, a deep one in the right lane'), /YES/);
  const created = await say('yes');
  const id = created.match(/311-\d{6}/);
  assert.ok(id, created);
  return id[0];
}

const ids = {};

before(async () => {
  fake = await startFakeProvider();
  server = await startServer({
    overrides: {
      server: { public_base_url: publicBase },
      sms: {
        twilio: { account_sid: accountSid, auth_token: authToken, from: '+15550000311', api_base_url: fake.url },
        poll_interval_ms: 50, retry_initial_seconds: 1, retry_max_seconds: 1,
      },
    },
  });
  await cli(['create-user', '--role', 'admin', '--name', 'ana', '--password-stdin'], `${adminPassword}\n`);
  const agent = await cli(['create-user', '--role', 'agent', '--name', 'bo']);
  agentPassword = agent.trim().split('\n').at(-1);
  for (const role of ['staff', 'partner', 'admin']) {
    keys[role] = (await cli(['create-api-key', '--role', role, '--name', `${role}-integration`])).trim().split('\n').at(-1);
  }
  ids.pothole1 = await chatReport('there is a pothole at 55 N Center St, pretty deep');
  ids.graffiti = await chatReport('graffiti on the wall at 12 W Main St, spray paint everywhere');
  ids.pothole2 = await chatReport('pothole at 1400 N Alma School Rd, deep and wide');
  ids.pothole3 = await chatReport('a huge pothole at 200 E University Dr, it broke my rim');
  ids.sms = await smsReport('+15550009999');
});

after(async () => {
  await server?.close();
  await fake?.close();
});

test('the CLI prints a key alone on the last line and a generated password once; only hashes are stored', async () => {
  for (const key of Object.values(keys)) assert.match(key, /^ck_[A-Za-z0-9_-]{43}$/);
  assert.match(agentPassword, /^[A-Za-z0-9_-]{24}$/);
  assert.equal(sql('SELECT count(*) FROM api_keys'), '3');
  assert.equal(sql(`SELECT count(*) FROM api_keys WHERE key_hash LIKE '%${keys.staff.slice(3, 20)}%' OR prefix = '${keys.staff}'`), '0');
  assert.equal(sql("SELECT count(*) FROM staff_users WHERE password_hash LIKE '$argon2id$%'"), '2');
  assert.equal(sql(`SELECT count(*) FROM staff_users WHERE password_hash LIKE '%${agentPassword}%'`), '0');
  // A second user with a taken name, a bad role and a short password are refused.
  const taken = await runCli(['create-user', '--role', 'agent', '--name', 'ana', '--config', server.configFile]);
  assert.equal(taken.code, 65);
  assert.match(taken.stderr, /already exists/);
  const badRole = await runCli(['create-api-key', '--role', 'root', '--name', 'x', '--config', server.configFile]);
  assert.equal(badRole.code, 64);
  const short = await runCli(['create-user', '--role', 'agent', '--name', 'cy', '--password-stdin', '--config', server.configFile], { input: 'short\n' });
  assert.equal(short.code, 64);
});

test('every staff endpoint answers 401 without credentials and 403 to a partner key', async () => {
  const calls = [
    ['GET', '/api/v1/requests'],
    ['GET', `/api/v1/requests/${ids.pothole1}`],
    ['PATCH', `/api/v1/requests/${ids.pothole1}`, { internal_note: 'x' }],
  ];
  for (const [method, route, body] of calls) {
    const anonymous = await api(method, route, { body });
    assert.equal(anonymous.status, 401, `${method} ${route}`);
    assert.equal(anonymous.body.error.code, 'unauthorized');
    assert.match(anonymous.headers.get('www-authenticate'), /^Bearer/);
    assert.equal((await api(method, route, { body, auth: { key: keys.partner } })).status, 403, `${method} ${route}`);
    assert.equal((await api(method, route, { body, auth: { key: 'ck_' + 'A'.repeat(43) } })).status, 401);
    assert.equal((await api(method, route, { body, headers: { Authorization: 'Basic YW5hOnB3' } })).status, 401);
    assert.equal((await api(method, route, { body, headers: { Cookie: 'civicline_staff=forged' } })).status, 401);
  }
  assert.equal(sql(`SELECT count(*) FROM request_history WHERE internal_note = 'x'`), '0');
  // Staff and admin keys are allowed, and their use is recorded.
  assert.equal((await api('GET', '/api/v1/requests', { auth: { key: keys.staff } })).status, 200);
  assert.equal((await api('GET', `/api/v1/requests/${ids.pothole1}`, { auth: { key: keys.admin } })).status, 200);
  // The use is written without holding up the answer, so it may land a moment later.
  const usedDeadline = Date.now() + 5000;
  while (sql("SELECT count(*) FROM api_keys WHERE name = 'staff-integration' AND last_used_at IS NOT NULL") !== '1') {
    assert.ok(Date.now() < usedDeadline, 'last_used_at was never recorded');
    await new Promise((r) => setTimeout(r, 20));
  }
  // A revoked key stops working at once.
  const revoked = (await cli(['create-api-key', '--role', 'staff', '--name', 'old'])).trim().split('\n').at(-1);
  assert.equal((await api('GET', '/api/v1/requests', { auth: { key: revoked } })).status, 200);
  sql("UPDATE api_keys SET revoked_at = '2026-01-01T00:00:00.000Z' WHERE name = 'old'");
  const refused = await api('GET', '/api/v1/requests', { auth: { key: revoked } });
  assert.equal(refused.status, 401);
  assert.match(refused.body.error.message, /revoked/);
});

test('login sets a strict HttpOnly cookie; cookie PATCHes need the CSRF token; logout ends the session', async () => {
  const session = await login('bo', agentPassword);
  assert.match(session.setCookie, /^civicline_staff=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
  assert.deepEqual({ user: session.body.user, role: session.body.role }, { user: 'bo', role: 'agent' });
  assert.match(session.csrf, /^[A-Za-z0-9_-]{43}$/);
  const me = await api('GET', '/api/v1/session', { auth: { session } });
  assert.equal(me.status, 200);
  assert.equal(me.body.csrf_token, session.csrf);
  assert.equal(sql(`SELECT count(*) FROM staff_sessions WHERE token_hash = '${session.cookie.split('=')[1]}'`), '0');

  const route = `/api/v1/requests/${ids.pothole1}`;
  assert.equal((await api('GET', route, { auth: { session } })).status, 200);
  const noToken = await api('PATCH', route, { auth: { session }, csrf: false, body: { internal_note: 'no token' } });
  assert.equal(noToken.status, 403);
  assert.equal(noToken.body.error.code, 'csrf_token_invalid');
  const wrongToken = await api('PATCH', route, { auth: { session }, csrf: false, headers: { 'X-CSRF-Token': 'A'.repeat(43) }, body: { internal_note: 'wrong token' } });
  assert.equal(wrongToken.status, 403);
  const ok = await api('PATCH', route, { auth: { session }, body: { internal_note: 'called the resident' } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.history.at(-1).internal_note, 'called the resident');
  assert.deepEqual(ok.body.history.at(-1).actor, { kind: 'staff', id: 'bo' });
  assert.equal(sql("SELECT count(*) FROM request_history WHERE internal_note IN ('no token', 'wrong token')"), '0');

  // Logging out also needs the token; afterwards the cookie no longer works.
  assert.equal((await api('DELETE', '/api/v1/session', { auth: { session }, csrf: false })).status, 403);
  const out = await api('DELETE', '/api/v1/session', { auth: { session } });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /^civicline_staff=; .*Max-Age=0/);
  assert.equal((await api('GET', '/api/v1/requests', { auth: { session } })).status, 401);
});

test('the queue lists, filters, sorts and pages', async () => {
  const auth = { key: keys.staff };
  const all = await api('GET', '/api/v1/requests', { auth });
  assert.equal(all.status, 200);
  assert.equal(all.body.total, 5);
  assert.equal(all.body.items.length, 5);
  assert.equal(all.body.next_cursor, null);
  assert.equal(all.headers.get('cache-control'), 'no-store');
  const item = all.body.items.find((i) => i.id === ids.pothole1);
  for (const field of ['id', 'status', 'category', 'created_at', 'updated_at', 'due_at', 'address', 'channel', 'description']) {
    assert.ok(field in item, field);
  }
  assert.equal(item.address, '55 N Center St');
  assert.equal(item.category, 'pothole');
  // Newest first by default.
  assert.deepEqual(all.body.items.map((i) => i.created_at), all.body.items.map((i) => i.created_at).sort().reverse());

  const list = async (query) => {
    const res = await api('GET', `/api/v1/requests?${query}`, { auth });
    assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  assert.deepEqual((await list('category=graffiti')).items.map((i) => i.id), [ids.graffiti]);
  assert.equal((await list('category=pothole')).total, 4);
  assert.equal((await list('channel=sms')).items[0].id, ids.sms);
  assert.equal((await list('channel=web_chat')).total, 4);
  assert.deepEqual((await list('q=alma+school')).items.map((i) => i.id), [ids.pothole2]);
  assert.deepEqual((await list('q=RIM')).items.map((i) => i.id), [ids.pothole3]);
  assert.equal((await list('status=new,acknowledged')).total, 5);
  assert.equal((await list('status=closed')).total, 0);
  assert.equal((await list('overdue=true')).total, 0);
  assert.equal((await list('created_after=2100-01-01')).total, 0);
  assert.equal((await list('created_before=2100-01-01')).total, 5);
  const oldest = await list('sort=created_at&limit=1');
  assert.equal(oldest.items[0].id, ids.pothole1);

  // Pages of two: every request once, the total on every page, no cursor after the last.
  const seen = [];
  let cursor = '';
  for (let page = 0; page < 5; page++) {
    const body = await list(`sort=created_at&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(body.total, 5);
    seen.push(...body.items.map((i) => i.id));
    if (!body.next_cursor) break;
    cursor = body.next_cursor;
  }
  assert.deepEqual(seen, [ids.pothole1, ids.graffiti, ids.pothole2, ids.pothole3, ids.sms]);

  for (const bad of ['limit=0', 'limit=500', 'status=open', 'sort=name', 'overdue=maybe', 'cursor=zzz', 'stauts=new', 'created_after=last+week', 'created_before=2999-01-01']) {
    const res = await api('GET', `/api/v1/requests?${bad}`, { auth });
    assert.equal(res.status, 400, bad);
    assert.ok(res.body.error.message.length > 0);
  }
});

test('SQL-looking or wildcard text in q is only text', async () => {
  const auth = { key: keys.staff };
  for (const q of ["' OR 1=1 --", "x'); DROP TABLE service_requests; --", '%', '_', '\\', '%" OR ""="']) {
    const res = await api('GET', `/api/v1/requests?q=${encodeURIComponent(q)}`, { auth });
    assert.equal(res.status, 200, q);
    assert.equal(res.body.total, 0, q);
  }
  assert.equal(sql('SELECT count(*) FROM service_requests'), '5');
});

test('the detail shows history, photos, followers and the reporter transcript to staff', async () => {
  const session = await login('ana', adminPassword);
  const res = await api('GET', `/api/v1/requests/${ids.pothole2}`, { auth: { session } });
  assert.equal(res.status, 200);
  const detail = res.body;
  assert.equal(detail.id, ids.pothole2);
  assert.equal(detail.followers_count, 1);
  assert.equal(detail.reporter_channel, 'web_chat');
  assert.deepEqual(detail.photos, []);
  assert.equal(detail.history[0].field, 'created');
  assert.equal(detail.transcript[0].direction, 'in');
  assert.match(detail.transcript[0].text, /1400 N Alma School Rd/);
  assert.ok(detail.transcript.some((m) => m.direction === 'out' && m.text.includes(ids.pothole2)));
  // Nothing in the answer is a phone number or a session address.
  const sms = await api('GET', `/api/v1/requests/${ids.sms}`, { auth: { key: keys.staff } });
  assert.equal(sms.body.reporter_channel, 'sms');
  assert.doesNotMatch(JSON.stringify(sms.body), /5550009999/);

  const missing = await api('GET', '/api/v1/requests/311-999999', { auth: { session } });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'not_found');
});

test('a status change with a public note reaches the SMS resident; refusals say why', async () => {
  const session = await login('ana', adminPassword);
  const route = `/api/v1/requests/${ids.sms}`;
  const changed = await api('PATCH', route, { auth: { session }, body: { status: 'in_progress', public_note: 'A crew is on the way.', internal_note: 'truck 7' } });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.equal(changed.body.status, 'in_progress');
  const last = changed.body.history.at(-1);
  assert.deepEqual([last.field, last.old_value, last.new_value, last.public_note, last.internal_note],
    ['status', 'new', 'in_progress', 'A crew is on the way.', 'truck 7']);
  assert.equal(sql(`SELECT count(*) FROM notifications n JOIN service_requests r ON r.id = n.request_id WHERE r.tracking_id = '${ids.sms}' AND n.body LIKE '%A crew is on the way.%'`), '1');
  await fake.waitFor(() => fake.delivered().some((r) => r.params.Body?.includes('A crew is on the way.')), 10000, 'the status SMS');
  const sent = fake.delivered().find((r) => r.params.Body.includes('A crew is on the way.'));
  assert.equal(sent.params.To, '+15550009999');
  assert.match(sent.params.Body, new RegExp(ids.sms));
  // The internal note never leaves.
  assert.ok(fake.received.every((r) => !JSON.stringify(r.params).includes('truck 7')));

  // A web-chat resident's notification is queued too (the web chat delivers it).
  const web = await api('PATCH', `/api/v1/requests/${ids.pothole3}`, { auth: { key: keys.staff }, body: { status: 'acknowledged', public_note: 'Seen.' } });
  assert.equal(web.status, 200);
  assert.deepEqual(web.body.history.at(-1).actor, { kind: 'staff', id: 'key:staff-integration' });
  assert.equal(sql(`SELECT count(*) FROM notifications n JOIN service_requests r ON r.id = n.request_id WHERE r.tracking_id = '${ids.pothole3}'`), '1');

  const again = await api('PATCH', route, { auth: { session }, body: { status: 'in_progress' } });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'transition_refused');
  assert.match(again.body.error.message, /already in_progress/);
  const dup = await api('PATCH', route, { auth: { session }, body: { status: 'duplicate' } });
  assert.equal(dup.status, 409);
  assert.match(dup.body.error.message, /original/);

  assert.equal((await api('PATCH', route, { auth: { session }, raw: '{"status": ' })).status, 400);
  assert.equal((await api('PATCH', route, { auth: { session }, raw: '"closed"' })).status, 400);
  const unknownStatus = await api('PATCH', route, { auth: { session }, body: { status: 'done' } });
  assert.equal(unknownStatus.status, 422);
  assert.match(unknownStatus.body.error.message, /Unknown status "done"/);
  assert.equal((await api('PATCH', route, { auth: { session }, body: {} })).status, 422);
  assert.equal((await api('PATCH', route, { auth: { session }, raw: 'status=closed', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status, 415);
  const unknownId = await api('PATCH', '/api/v1/requests/311-999999', { auth: { session }, body: { status: 'closed' } });
  assert.equal(unknownId.status, 404);
  assert.equal(sql(`SELECT status FROM service_requests WHERE tracking_id = '${ids.sms}'`), 'in_progress');
});

test('repeated failed logins slow down, then lock the name; other names are unaffected', async () => {
  const attempt = (name, password) => api('POST', '/api/v1/session', { body: { name, password } });
  const started = Date.now();
  for (let i = 1; i <= 4; i++) {
    const res = await attempt('bo', `wrong-${i}`);
    assert.equal(res.status, 401, `attempt ${i}`);
    assert.equal(res.body.error.message, 'Wrong name or password.');
  }
  assert.ok(Date.now() - started >= 250 + 500 + 750 + 1000, 'each failure answers more slowly');
  const fifth = await attempt('bo', 'wrong-5');
  assert.equal(fifth.status, 429);
  assert.equal(fifth.body.error.code, 'login_locked');
  assert.ok(Number(fifth.headers.get('retry-after')) > 800);
  // Locked: even the right password is refused, without being checked.
  const right = await attempt('bo', agentPassword);
  assert.equal(right.status, 429);
  assert.equal(sql("SELECT failures FROM login_failures WHERE name = 'bo'"), '5');
  // Unknown names answer exactly like wrong passwords.
  const unknown = await attempt('nobody', 'whatever');
  assert.equal(unknown.status, 401);
  assert.equal(unknown.body.error.message, 'Wrong name or password.');
  assert.equal(sql("SELECT failures FROM login_failures WHERE name = 'nobody'"), '1');
  // Another account still logs in, and a success clears its count.
  await attempt('ana', 'wrong');
  await login('ana', adminPassword);
  assert.equal(sql("SELECT count(*) FROM login_failures WHERE name = 'ana'"), '0');
  // Malformed logins.
  assert.equal((await api('POST', '/api/v1/session', { raw: '{' })).status, 400);
  assert.equal((await api('POST', '/api/v1/session', { body: { name: 'ana' } })).status, 422);
});
