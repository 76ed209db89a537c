// Working the queue end to end: new requests land in their category's team, staff assign,
// prioritise, re-categorise and move them (each change in the history with who made it),
// merge a duplicate into its original (its SMS reporter is told the original's id through the
// fake provider and now follows it), and change many requests at once, all or nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { startFakeProvider } from './fake_sms_provider.mjs';
import { chatReport, smsResident, smsSettings, sql as sqlOn } from './residents.mjs';
import { staffClient } from './staff_client.mjs';

const publicBase = 'https://311.example.test';
let server, fake, ana, bo;
const staff = staffClient(() => server);
const sql = (query) => sqlOn(server, query);
const ids = {};

/** Calls the API as the agent Ana (a login session). */
const api = (method, route, options = {}) => staff.api(method, route, { auth: { session: ana }, ...options });

before(async () => {
  fake = await startFakeProvider();
  server = await startServer({ overrides: smsSettings(publicBase, fake.url) });
  ana = await staff.login('ana', await staff.createUser('agent', 'ana'));
  bo = await staff.createUser('agent', 'bo');
  await staff.createUser('agent', 'cy');
  const admin = await staff.createKey('admin', 'provisioning');
  const disabled = await staff.api('PATCH', '/api/v1/users/cy', { auth: { key: admin }, body: { disabled: true } });
  assert.equal(disabled.status, 200, disabled.text);
  ids.pothole = await chatReport(server, 'there is a pothole at 55 N Center St, pretty deep');
  ids.graffiti = await chatReport(server, 'graffiti on the wall at 12 W Main St, spray paint everywhere');
  const resident = smsResident(() => server, publicBase, '+15550007777');
  assert.match((await resident.say('pothole at 57 N Center St, deep one in the right lane')).join(' '), /YES/);
  ids.smsPothole = (await resident.say('yes')).join(' ').match(/311-\d{6}/)[0];
});

after(async () => {
  await server?.close();
  await fake?.close();
});

test('a new request lands in its category team queue', async () => {
  const list = await api('GET', '/api/v1/requests?team=streets');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.items.map((r) => r.id).sort(), [ids.pothole, ids.smsPothole].sort());
  assert.equal(list.body.items[0].team, 'streets');
  assert.equal(list.body.items[0].assignee, null);
  assert.equal(list.body.items[0].priority, 'normal');
  const graffiti = await api('GET', `/api/v1/requests/${ids.graffiti}`);
  assert.equal(graffiti.body.team, 'code');
});

test('assign, prioritise, re-categorise and move a request; the history says who did each', async () => {
  const changed = await api('PATCH', `/api/v1/requests/${ids.graffiti}`, {
    body: { assignee: 'bo', priority: 'high', internal_note: 'Bo knows this wall' },
  });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.assignee, 'bo');
  assert.equal(changed.body.priority, 'high');
  const moved = await api('PATCH', `/api/v1/requests/${ids.graffiti}`, {
    body: { category: 'litter', location: { address: '14 W Main St', lat: 33.4152, long: -111.8315 } },
  });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.category, 'litter');
  assert.equal(moved.body.team, 'sanitation', 're-routed with its new category');
  assert.equal(moved.body.address, '14 W Main St');
  assert.equal(moved.body.lat, 33.4152);
  const fields = moved.body.history.map((h) => `${h.field}:${h.old_value}>${h.new_value}:${h.actor.id}`);
  for (const expected of ['assignee:>bo:ana', 'priority:normal>high:ana', 'category:graffiti>litter:ana', 'team:code>sanitation:ana']) {
    assert.ok(fields.includes(expected), `${expected} in ${fields.join(' | ')}`);
  }
  assert.ok(fields.some((f) => f.startsWith('location:12 W Main St>14 W Main St (33.415')), fields.join(' | '));
  assert.ok(moved.body.history.some((h) => h.internal_note === 'Bo knows this wall'));
  assert.equal(sql(`SELECT count(*) FROM outbox_events WHERE type = 'request.updated' AND payload_json LIKE '%${ids.graffiti}%'`), '2');

  const mine = await staff.api('GET', '/api/v1/requests?assignee=me', { auth: { session: await staff.login('bo', bo) } });
  assert.deepEqual(mine.body.items.map((r) => r.id), [ids.graffiti]);
  assert.deepEqual((await api('GET', '/api/v1/requests?assignee=bo&priority=high')).body.items.map((r) => r.id), [ids.graffiti]);
  assert.equal((await api('GET', '/api/v1/requests?assignee=none')).body.total, 2);
  assert.equal((await api('GET', '/api/v1/requests?assignee=nobody-here')).body.total, 0);
  const byPriority = await api('GET', '/api/v1/requests?sort=-priority');
  assert.equal(byPriority.body.items[0].id, ids.graffiti);

  const unassigned = await api('PATCH', `/api/v1/requests/${ids.graffiti}`, { body: { assignee: null } });
  assert.equal(unassigned.body.assignee, null);
});

test('unknown names are refused with a message and change nothing', async () => {
  const before = sql(`SELECT category, team, priority FROM service_requests WHERE tracking_id = '${ids.pothole}'`);
  for (const [body, pattern] of [
    [{ team: 'rocket_science' }, /No team has the code "rocket_science"/],
    [{ assignee: 'zed' }, /No active staff user has the name "zed"/],
    [{ assignee: 'cy' }, /No active staff user/],
    [{ category: 'alien_landing' }, /No category has the code/],
    [{ priority: 'asap' }, /priority must be one of/],
  ]) {
    const res = await api('PATCH', `/api/v1/requests/${ids.pothole}`, { body: { ...body, priority: body.priority ?? 'urgent' } });
    assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.text}`);
    assert.match(res.body.error.message, pattern);
  }
  // A field edit and a refused status change together: neither is written.
  const refused = await api('PATCH', `/api/v1/requests/${ids.pothole}`, { body: { priority: 'urgent', status: 'new' } });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(sql(`SELECT category, team, priority FROM service_requests WHERE tracking_id = '${ids.pothole}'`), before);
  assert.equal((await api('PATCH', '/api/v1/requests/311-999999', { body: { priority: 'low' } })).status, 404);
});

test('merging a duplicate moves its reporter to the original and tells them its id', async () => {
  const merged = await api('POST', `/api/v1/requests/${ids.smsPothole}/merge`, { body: { into: ids.pothole, internal_note: 'same hole' } });
  assert.equal(merged.status, 200, merged.text);
  assert.equal(merged.body.status, 'duplicate');
  assert.equal(merged.body.duplicate_of, ids.pothole);
  const original = await api('GET', `/api/v1/requests/${ids.pothole}`);
  assert.equal(original.body.followers_count, 2);
  assert.ok(original.body.history.some((h) => h.field === 'merged' && h.new_value === ids.smsPothole));

  await fake.waitFor(() => fake.delivered().some((m) => m.params.Body.includes(ids.pothole)), 10000, 'the merge notice');
  const notice = fake.delivered().find((m) => m.params.Body.includes(ids.pothole));
  assert.equal(notice.params.To, '+15550007777');
  assert.match(notice.params.Body, new RegExp(`${ids.smsPothole}.*same problem as ${ids.pothole}`));

  // The resident now hears about the original's changes.
  const before = fake.delivered().length;
  const progress = await api('PATCH', `/api/v1/requests/${ids.pothole}`, { body: { status: 'in_progress', public_note: 'Crew on the way.' } });
  assert.equal(progress.status, 200, progress.text);
  await fake.waitFor(() => fake.delivered().length > before, 10000, 'the status update');
  assert.match(fake.delivered().at(-1).params.Body, new RegExp(`${ids.pothole}.*Crew on the way`));

  const again = await api('POST', `/api/v1/requests/${ids.smsPothole}/merge`, { body: { into: ids.pothole } });
  assert.equal(again.status, 409, again.text);
  const intoDuplicate = await api('POST', `/api/v1/requests/${ids.graffiti}/merge`, { body: { into: ids.smsPothole } });
  assert.equal(intoDuplicate.status, 422);
  assert.match(intoDuplicate.body.error.message, new RegExp(`merge into ${ids.pothole} instead`));
  assert.equal((await api('POST', `/api/v1/requests/${ids.graffiti}/merge`, { body: { into: ids.graffiti } })).status, 422);
  assert.equal((await api('POST', `/api/v1/requests/${ids.graffiti}/merge`, { body: { into: '311-999999' } })).status, 422);
  assert.equal((await api('POST', '/api/v1/requests/311-999999/merge', { body: { into: ids.pothole } })).status, 404);
});

test('a bulk change applies to every request named in one transaction, or to none', async () => {
  const all = [ids.pothole, ids.graffiti];
  const ok = await api('POST', '/api/v1/requests/bulk', { body: { ids: all, assignee: 'bo', priority: 'low' } });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.body.changed, all);
  assert.equal(sql(`SELECT count(*) FROM service_requests WHERE priority = 'low' AND assignee_id IS NOT NULL`), '2');

  // The merged duplicate cannot be acknowledged: nothing changes, and the answer says which.
  const refused = await api('POST', '/api/v1/requests/bulk', { body: { ids: [...all, ids.smsPothole, '311-999999'], priority: 'urgent', status: 'acknowledged' } });
  assert.equal(refused.status, 409, refused.text);
  assert.deepEqual(refused.body.refused.map((r) => [r.id, r.status]).sort(),
    [[ids.pothole, 409], [ids.smsPothole, 409], ['311-999999', 404]].sort());
  assert.equal(sql("SELECT count(*) FROM service_requests WHERE priority = 'urgent'"), '0');

  const tooMany = await api('POST', '/api/v1/requests/bulk', { body: { ids: Array.from({ length: 501 }, (_, i) => `311-${i}`), priority: 'low' } });
  assert.equal(tooMany.status, 422);
  assert.equal((await api('POST', '/api/v1/requests/bulk', { raw: '{"ids": [' })).status, 400);
  assert.equal((await api('POST', '/api/v1/requests/bulk', { body: { ids: all, priority: 'low' }, csrf: false })).status, 403);
});

test('changes need a role that may change requests', async () => {
  const partner = await staff.createKey('partner', 'utility');
  for (const [method, route] of [
    ['PATCH', `/api/v1/requests/${ids.pothole}`],
    ['POST', `/api/v1/requests/${ids.pothole}/merge`],
    ['POST', '/api/v1/requests/bulk'],
  ]) {
    assert.equal((await staff.api(method, route, { body: { priority: 'low' } })).status, 401, route);
    assert.equal((await staff.api(method, route, { auth: { key: partner }, body: { priority: 'low' } })).status, 403, route);
  }
});
