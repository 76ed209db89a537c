// Authentication and authorisation, from the router's own table: `civicline routes` lists every
// route with the access its registration declares, and every route is called without
// credentials and as every kind of caller (three user roles, three key roles). A caller the
// declaration leaves out must get 401 or 403; one it lets in must not. Then session fixation,
// CSRF by a foreign Origin, and the per-address login throttle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startServer } from './harness.mjs';
import { staffClient } from './staff_client.mjs';

let server;
let staff;
let routes;
const callers = {};  // name -> {auth, kind, role}
const passwords = {};  // user role -> password

before(async () => {
  // An embedding site the city allows, so the chat's CORS preflight can be answered.
  server = await startServer({ overrides: { chat: { allowed_origins: ['https://embed.example'] } } });
  staff = staffClient(() => server);
  const listed = await runCli(['routes', '--config', server.configFile]);
  assert.equal(listed.code, 0, listed.stderr);
  routes = listed.stdout.split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l))
    .filter((r) => r.pattern !== undefined);
  for (const role of ['agent', 'supervisor', 'admin']) {
    const password = await staff.createUser(role, `matrix-${role}`);
    passwords[role] = password;
    callers[`user:${role}`] = { kind: 'user', role, auth: { session: await staff.login(`matrix-${role}`, password) } };
  }
  for (const role of ['staff', 'partner', 'admin']) {
    callers[`key:${role}`] = { kind: 'key', role, auth: { key: await staff.createKey(role, `matrix-${role}`) } };
  }
});
after(async () => { await server?.close(); });

/** Whether a caller ({kind, role}, or null for none) may call a route declared `access`. */
function mayCall(access, caller) {
  if (access === 'public') return true;
  // Staff credentials are neither an SMS provider's signature nor a chat visitor's cookie.
  if (!caller || access === 'provider_signature' || access === 'chat_session') return false;
  const rank = caller.kind === 'user' ? { agent: 1, supervisor: 2, admin: 3 }[caller.role]
    : { staff: 1, admin: 3, partner: 0 }[caller.role];
  switch (access) {
    case 'any_caller': return true;
    case 'staff': return rank >= 1;
    case 'supervisor': return rank >= 2;
    case 'admin': return rank >= 3;
    // Open311 partners send their key as api_key: a staff session is no partner.
    case 'partner': return caller.kind === 'key' && (caller.role === 'partner' || caller.role === 'admin');
    default: throw new Error(`unknown access ${access}`);
  }
}

/** Calls a route as `caller`; path parameters name nothing that exists. */
async function call(route, caller) {
  const url = route.pattern.replace(/\{[^}]+\}/g, '999999');
  const headers = {};
  let body;
  if (caller?.auth.key) headers.Authorization = `Bearer ${caller.auth.key}`;
  if (caller?.auth.session) {
    headers.Cookie = caller.auth.session.cookie;
    headers['X-CSRF-Token'] = caller.auth.session.csrf;  // so a refusal is the role's, not CSRF's
  }
  if (route.method === 'OPTIONS') {
    headers.Origin = 'https://embed.example';  // a CORS preflight from the allowed site
    headers['Access-Control-Request-Method'] = 'POST';
  } else if (route.method !== 'GET' && route.method !== 'DELETE') {
    if (route.pattern.startsWith('/open311/') || route.pattern.startsWith('/sms/')) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = caller?.auth.key ? `api_key=${caller.auth.key}` : '';
    } else {
      headers['Content-Type'] = 'application/json';
      body = '{}';
    }
  }
  // Bounded: an event stream answers its status at once and then stays open, so its body is
  // dropped unread; a long poll answers within its wait (shortened by ?wait=0 where taken).
  const res = await fetch(`${server.url}${url}`, { method: route.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10000) });
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    await res.body.cancel();
    return { status: res.status, text: '(event stream)' };
  }
  const text = await res.text();
  return { status: res.status, text };
}

test('the router lists every route with a declared access', () => {
  assert.ok(routes.length >= 60, `only ${routes.length} routes listed`);
  const undeclared = routes.filter((r) => r.access === 'undeclared').map((r) => `${r.method} ${r.pattern}`);
  assert.deepEqual(undeclared, [], 'routes registered without saying who may call them');
  const listed = new Set(routes.map((r) => `${r.method} ${r.pattern}`));
  for (const known of ['GET /healthz', 'PATCH /api/v1/requests/{id}', 'POST /api/v1/users', 'POST /sms/twilio',
    'POST /open311/v2/requests.json', 'GET /api/v1/requests.csv']) {
    assert.ok(listed.has(known), `${known} is listed`);
  }
  const access = Object.fromEntries(routes.map((r) => [`${r.method} ${r.pattern}`, r.access]));
  assert.equal(access['POST /api/v1/users'], 'admin');
  assert.equal(access['GET /api/v1/stats'], 'supervisor');
  assert.equal(access['POST /open311/v2/requests.json'], 'partner');
  assert.equal(access['GET /data/requests.csv'], 'public');
});

test('every route refuses callers without credentials and with the wrong role, and admits the right ones', async (t) => {
  // Logging out last: it ends the session the other calls use.
  const ordered = [...routes].sort((a, b) => (a.pattern === '/api/v1/session' && a.method === 'DELETE') - (b.pattern === '/api/v1/session' && b.method === 'DELETE'));
  const wrong = [];
  let calls = 0;
  for (const [name, caller] of [['none', null], ...Object.entries(callers)]) {
    for (const route of ordered) {
      const { status, text } = await call(route, caller);
      calls++;
      const allowed = mayCall(route.access, caller);
      const refused = status === 401 || status === 403 ||
        // An SMS provider's webhook without its signature.
        (route.access === 'provider_signature' && status === 400 && /signature|secret/.test(text));
      if (allowed === refused) wrong.push(`${route.method} ${route.pattern} as ${name} (${route.access}) -> ${status} ${text.slice(0, 100)}`);
      if (!caller && !allowed && ['any_caller', 'staff', 'supervisor', 'admin'].includes(route.access) && status !== 401) {
        wrong.push(`${route.method} ${route.pattern} without credentials -> ${status}, expected 401`);
      }
    }
  }
  assert.deepEqual(wrong, [], `${wrong.length} of ${calls} calls answered against the declared access`);
  assert.ok(calls >= 7 * 60);
  const counts = {};
  for (const r of routes) counts[r.access] = (counts[r.access] ?? 0) + 1;
  t.diagnostic(`${routes.length} routes (${Object.entries(counts).map(([a, n]) => `${a} ${n}`).join(', ')}), ${calls} calls`);
});

test('a session id chosen beforehand is never adopted: login issues a new one', async () => {
  const password = await staff.createUser('agent', 'fixation');
  const planted = 'civicline_staff=attacker-chosen-0123456789abcdefghijklmnopqrstu';
  const res = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: planted },
    body: JSON.stringify({ name: 'fixation', password }),
  });
  assert.equal(res.status, 200);
  const issued = res.headers.get('set-cookie').split(';')[0];
  assert.notEqual(issued, planted);
  assert.match(issued, /^civicline_staff=[A-Za-z0-9_-]{43}$/);
  const planted401 = await fetch(`${server.url}/api/v1/session`, { headers: { Cookie: planted } });
  assert.equal(planted401.status, 401, 'the planted id opens nothing');
  // A second login (say, on a shared machine after the first) gets another id and CSRF token.
  const again = await staff.login('fixation', password);
  assert.notEqual(again.cookie, issued);
  assert.notEqual(again.csrf, (await res.json()).csrf_token);
  // Logging out ends that id for good.
  assert.equal((await staff.api('DELETE', '/api/v1/session', { auth: { session: again } })).status, 204);
  assert.equal((await staff.api('GET', '/api/v1/session', { auth: { session: again } })).status, 401);
  assert.equal((await fetch(`${server.url}/api/v1/session`, { headers: { Cookie: issued } })).status, 200, 'the other session is its own');
});

test('a state-changing cookie request from another site is refused, even with the CSRF token', async () => {
  // A new session: the matrix above logged the others out.
  const session = await staff.login('matrix-admin', passwords.admin);
  const create = (name, headers, auth = { session }) =>
    staff.api('POST', '/api/v1/users', { auth, body: { name, role: 'agent' }, headers });
  for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, `http://127.0.0.1:${server.port}.evil.example`]) {
    const res = await create('from-elsewhere', { Origin: origin });
    assert.equal(res.status, 403, origin);
    assert.equal(res.body.error.code, 'origin_refused');
  }
  const noToken = await staff.api('POST', '/api/v1/users', { auth: { session }, body: { name: 'no-token', role: 'agent' }, csrf: false, headers: { Origin: server.url } });
  assert.equal(noToken.body.error.code, 'csrf_token_invalid', 'the right Origin does not replace the token');
  const users = (await staff.api('GET', '/api/v1/users', { auth: { session } })).body.items.map((u) => u.name);
  assert.ok(!users.includes('from-elsewhere') && !users.includes('no-token'), 'nothing was created');
  // The console's own page (Origin = the address it was loaded from) works, and so does a
  // client without Origin; an API key is no ambient credential, so Origin does not matter.
  assert.equal((await create('same-site', { Origin: server.url })).status, 201);
  assert.equal((await create('key-made', { Origin: 'https://evil.example' }, { key: callers['key:admin'].auth.key })).status, 201);
  // Logging in from another site's page is refused too (login CSRF).
  const login = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
    body: JSON.stringify({ name: 'matrix-agent', password: 'whatever-it-is' }),
  });
  assert.equal(login.status, 403);
  assert.equal((await login.json()).error.code, 'origin_refused');
});

test('failed logins from one address are throttled across names, with Retry-After', async (t) => {
  // Its own server: the address lock would also stop the other tests' logins from 127.0.0.1.
  const own = await startServer();
  try {
    const client = staffClient(() => own);
    const password = await client.createUser('agent', 'real-agent');
    const attempt = (name, pass) => client.api('POST', '/api/v1/session', { body: { name, password: pass } });
    // 20 names, one wrong password each: no name reaches its own lock of 5.
    const statuses = [];
    for (let batch = 0; batch < 4; batch++) {
      const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => attempt(`guess-${batch * 5 + i}`, 'Password1!')));
      statuses.push(...answers.map((a) => a.status));
    }
    assert.equal(statuses.filter((s) => s === 401).length, 19, `${statuses}`);
    assert.equal(statuses.filter((s) => s === 429).length, 1, 'the 20th failure locks the address');
    const locked = await attempt('real-agent', password);
    assert.equal(locked.status, 429, 'even the right password is not checked while the address is locked');
    assert.equal(locked.body.error.code, 'login_locked');
    assert.match(locked.body.error.message, /from this address/);
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After: ${retryAfter}`);
    t.diagnostic(`address locked after 20 failures; Retry-After ${retryAfter} s`);
    // An API key is not a login: it still works from the locked address.
    const key = await client.createKey('staff');
    assert.equal((await client.api('GET', '/api/v1/requests', { auth: { key } })).status, 200);
  } finally {
    await own.close();
  }
});
