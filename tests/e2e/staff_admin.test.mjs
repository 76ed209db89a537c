// The admin API end to end: create users (a generated password shown once) and API keys
// (shown once, stored hashed), change roles, disable a user (their sessions end at once),
// revoke a key (it stops working at once), and the audit trail that names who did each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { sql as sqlOn } from './residents.mjs';
import { staffClient } from './staff_client.mjs';

let server, admin;
const staff = staffClient(() => server);
const sql = (query) => sqlOn(server, query);
const as = (auth) => (method, route, options = {}) => staff.api(method, route, { auth, ...options });

before(async () => {
  server = await startServer();
  await staff.cli(['create-user', '--role', 'admin', '--name', 'root', '--password-stdin'], 'a long admin password\n');
  admin = as({ session: await staff.login('root', 'a long admin password') });
});

after(async () => { await server?.close(); });

test('an admin creates a user who can log in with the password shown once', async () => {
  const created = await admin('POST', '/api/v1/users', { body: { name: 'sam', role: 'agent' } });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.role, 'agent');
  assert.match(created.body.password, /^[A-Za-z0-9_-]{24}$/);
  const session = await staff.login('sam', created.body.password);
  assert.equal(session.body.user, 'sam');
  assert.equal(sql(`SELECT count(*) FROM staff_users WHERE password_hash LIKE '%${created.body.password}%'`), '0');
  const listed = await admin('GET', '/api/v1/users');
  assert.deepEqual(listed.body.items.map((u) => u.name).sort(), ['root', 'sam']);
  assert.ok(!listed.text.includes('argon2'), 'no password hash in the list');

  assert.equal((await admin('POST', '/api/v1/users', { body: { name: 'sam', role: 'agent' } })).status, 409);
  assert.equal((await admin('POST', '/api/v1/users', { body: { name: 'x y', role: 'agent' } })).status, 422);
  assert.equal((await admin('POST', '/api/v1/users', { body: { name: 'tia', role: 'root' } })).status, 422);
  assert.equal((await admin('POST', '/api/v1/users', { body: { name: 'tia', role: 'agent', password: 'short' } })).status, 422);
  assert.equal((await admin('POST', '/api/v1/users', { body: { name: 'tia', role: 'agent', admin: true } })).status, 422);
  assert.equal((await admin('POST', '/api/v1/users', { raw: '{"name":' })).status, 400);
  const chosen = await admin('POST', '/api/v1/users', { body: { name: 'tia', role: 'supervisor', password: 'tia chose this one' } });
  assert.equal(chosen.status, 201);
  assert.equal(chosen.body.password, undefined, 'a chosen password is never echoed');
});

test('disabling a user ends their sessions at once; a role change asks for a new login', async () => {
  const created = await admin('POST', '/api/v1/users', { body: { name: 'uma', role: 'agent' } });
  const uma = as({ session: await staff.login('uma', created.body.password) });
  assert.equal((await uma('GET', '/api/v1/requests')).status, 200);
  const promoted = await admin('PATCH', '/api/v1/users/uma', { body: { role: 'supervisor' } });
  assert.equal(promoted.status, 200, promoted.text);
  assert.equal(promoted.body.role, 'supervisor');
  assert.equal((await uma('GET', '/api/v1/requests')).status, 401, 'the old session ended');

  const again = as({ session: await staff.login('uma', created.body.password) });
  const disabled = await admin('PATCH', '/api/v1/users/uma', { body: { disabled: true } });
  assert.ok(disabled.body.disabled_at);
  assert.equal((await again('GET', '/api/v1/requests')).status, 401);
  const refused = await staff.api('POST', '/api/v1/session', { body: { name: 'uma', password: created.body.password } });
  assert.equal(refused.status, 401);
  assert.equal((await admin('PATCH', '/api/v1/users/uma', { body: { disabled: false } })).body.disabled_at, null);
  await staff.login('uma', created.body.password);

  assert.equal((await admin('PATCH', '/api/v1/users/nobody', { body: { disabled: true } })).status, 404);
  assert.equal((await admin('PATCH', '/api/v1/users/root', { body: { disabled: true } })).status, 409);
  assert.equal((await admin('PATCH', '/api/v1/users/uma', { body: {} })).status, 422);
  assert.equal((await admin('PATCH', '/api/v1/users/uma', { body: { disabled: 'yes' } })).status, 422);
});

test('an API key is shown once, works until revoked, and records when it was last used', async () => {
  const created = await admin('POST', '/api/v1/api-keys', { body: { name: 'crm', role: 'staff' } });
  assert.equal(created.status, 201, created.text);
  assert.match(created.body.key, /^ck_[A-Za-z0-9_-]{43}$/);
  assert.equal(created.body.prefix, created.body.key.slice(0, 9));
  const crm = as({ key: created.body.key });
  assert.equal((await crm('GET', '/api/v1/requests')).status, 200);
  // The last use is written in the background, without holding up the call.
  let listed, row;
  for (let tries = 0; tries < 50 && !row?.last_used_at; ++tries) {
    if (tries) await new Promise((resolve) => setTimeout(resolve, 50));
    listed = await admin('GET', '/api/v1/api-keys');
    row = listed.body.items.find((k) => k.id === created.body.id);
  }
  assert.ok(row.last_used_at, 'last use recorded');
  assert.ok(!listed.text.includes(created.body.key), 'the key itself is never listed');

  const revoked = await admin('DELETE', `/api/v1/api-keys/${created.body.id}`);
  assert.equal(revoked.status, 200);
  assert.ok(revoked.body.revoked_at);
  assert.equal((await crm('GET', '/api/v1/requests')).status, 401);
  assert.equal((await admin('DELETE', '/api/v1/api-keys/999999')).status, 404);
  assert.equal((await admin('DELETE', '/api/v1/api-keys/abc')).status, 404);
  assert.equal((await admin('POST', '/api/v1/api-keys', { body: { name: 'x', role: 'god' } })).status, 422);
});

test('the audit trail names who changed which account or key', async () => {
  const trail = await admin('GET', '/api/v1/audit');
  assert.equal(trail.status, 200);
  const lines = trail.body.items.map((e) => `${e.actor_id} ${e.action} ${e.target}`);
  for (const expected of ['root user.created user:sam', 'root user.role_changed user:uma', 'root user.disabled user:uma',
    'root user.enabled user:uma', 'root api_key.created', 'root api_key.revoked']) {
    assert.ok(lines.some((l) => l.startsWith(expected)), `${expected} in ${lines.join(' | ')}`);
  }
  assert.ok(!trail.text.includes('ck_'), 'no key in the audit');
});

test('only admins reach the admin API', async () => {
  const agent = await admin('POST', '/api/v1/users', { body: { name: 'vic', role: 'agent' } });
  const vic = await staff.login('vic', agent.body.password);
  const keys = {};
  for (const role of ['staff', 'partner']) keys[role] = (await admin('POST', '/api/v1/api-keys', { body: { name: `k-${role}`, role } })).body.key;
  const calls = [['GET', '/api/v1/users'], ['POST', '/api/v1/users'], ['PATCH', '/api/v1/users/sam'],
    ['GET', '/api/v1/api-keys'], ['POST', '/api/v1/api-keys'], ['DELETE', '/api/v1/api-keys/1'], ['GET', '/api/v1/audit']];
  for (const [method, route] of calls) {
    const body = method === 'GET' || method === 'DELETE' ? undefined : { name: 'zz', role: 'agent' };
    assert.equal((await staff.api(method, route, { body })).status, 401, `${method} ${route}`);
    for (const auth of [{ session: vic }, { key: keys.staff }, { key: keys.partner }]) {
      assert.equal((await staff.api(method, route, { auth, body })).status, 403, `${method} ${route} ${JSON.stringify(auth).slice(0, 20)}`);
    }
  }
  // A session without its CSRF token changes nothing.
  const noCsrf = await staff.api('POST', '/api/v1/users', { auth: { session: (await staff.login('root', 'a long admin password')) }, body: { name: 'ww', role: 'agent' }, csrf: false });
  assert.equal(noCsrf.status, 403);
});
