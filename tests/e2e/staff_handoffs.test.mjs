// The handoff inbox end to end: a resident texting over SMS asks for a person, staff see the
// conversation (never the phone number), answer it on the resident's channel through the
// (fake) provider while the bot stays quiet, then hand it back to the bot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { staffClient } from './staff_client.mjs';
import { startFakeProvider } from './fake_sms_provider.mjs';
import { smsResident, smsSettings } from './residents.mjs';

const publicBase = 'https://311.example.test';
const phone = '+15550004242';
let server, fake;
const keys = {};

const staff = staffClient(() => server);
/** The API as the staff integration (or `key`). */
const api = (method, route, { key = keys.staff, ...rest } = {}) =>
  staff.api(method, route, { auth: key ? { key } : undefined, ...rest });

before(async () => {
  fake = await startFakeProvider();
  server = await startServer({ overrides: smsSettings(publicBase, fake.url) });
  for (const role of ['staff', 'partner']) keys[role] = await staff.createKey(role, `${role}-handoffs`);
});

after(async () => {
  await server?.close();
  await fake?.close();
});

test('staff answer a handed-off SMS conversation, then give it back to the bot', async () => {
  const resident = smsResident(() => server, publicBase, phone);
  const asked = (await resident.say('I want to talk to a person')).join(' ');
  assert.match(asked, /staff|person|reply/i);

  const inbox = await api('GET', '/api/v1/handoffs');
  assert.equal(inbox.status, 200, inbox.text);
  assert.equal(inbox.body.items.length, 1);
  const handoff = inbox.body.items[0];
  assert.equal(handoff.status, 'waiting');
  assert.equal(handoff.channel, 'sms');
  assert.doesNotMatch(inbox.text, /5550004242/); // no phone number, ever

  const detail = await api('GET', `/api/v1/handoffs/${handoff.id}`);
  assert.equal(detail.status, 200);
  assert.equal(detail.body.transcript[0].text, 'I want to talk to a person');
  assert.doesNotMatch(detail.text, /5550004242/);

  const reply = await api('POST', `/api/v1/handoffs/${handoff.id}/replies`,
    { body: { text: 'Hi, this is Sam from 311. How can I help?' } });
  assert.equal(reply.status, 201, reply.text);
  await fake.waitFor(() => fake.delivered().length === 1, 10000, 'the staff reply by SMS');
  assert.equal(fake.delivered()[0].params.To, phone);
  assert.equal(fake.delivered()[0].params.Body, 'Hi, this is Sam from 311. How can I help?');

  // While staff hold it, the bot stays quiet and the resident's words reach the transcript.
  assert.deepEqual(await resident.say('the streetlight on my corner has been out for a week'), []);
  const held = await api('GET', `/api/v1/handoffs/${handoff.id}`);
  assert.equal(held.body.status, 'answered');
  assert.ok(held.body.transcript.some((m) => m.text.includes('streetlight on my corner')));

  const closed = await api('POST', `/api/v1/handoffs/${handoff.id}/close`);
  assert.equal(closed.status, 200, closed.text);
  assert.equal((await api('GET', '/api/v1/handoffs')).body.items.length, 0);
  assert.ok((await resident.say('hi')).length >= 1, 'the bot answers again');

  const late = await api('POST', `/api/v1/handoffs/${handoff.id}/replies`, { body: { text: 'one more' } });
  assert.equal(late.status, 409);
  assert.match(late.body.error.message, /bot/);
});

test('the handoff API refuses strangers, partners, unknown ids and empty replies', async () => {
  assert.equal((await api('GET', '/api/v1/handoffs', { key: null })).status, 401);
  assert.equal((await api('GET', '/api/v1/handoffs', { key: keys.partner })).status, 403);
  assert.equal((await api('POST', '/api/v1/handoffs/1/close', { key: keys.partner })).status, 403);
  assert.equal((await api('GET', '/api/v1/handoffs/999999')).status, 404);
  assert.equal((await api('GET', '/api/v1/handoffs/abc')).status, 404);
  assert.equal((await api('POST', '/api/v1/handoffs/999999/close')).status, 404);
  const resident = smsResident(() => server, publicBase, '+15550004343');
  await resident.say('agent please');
  const id = (await api('GET', '/api/v1/handoffs')).body.items.at(-1).id;
  assert.equal((await api('POST', `/api/v1/handoffs/${id}/replies`, { body: { text: '   ' } })).status, 422);
  assert.equal((await api('POST', `/api/v1/handoffs/${id}/replies`, { raw: '{"text":' })).status, 400);
  assert.equal((await api('POST', `/api/v1/handoffs/${id}/replies`, { body: { text: 'x'.repeat(2000) } })).status, 422);
});
