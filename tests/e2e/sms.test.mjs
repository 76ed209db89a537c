// The SMS channel end to end: requests signed with Twilio's own SDK against the real binary
// and a real SQLite file; outbound messages go to a fake provider that records them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { makeTempDir, runCli, startServer } from './harness.mjs';
import { startFakeProvider } from './fake_sms_provider.mjs';
import { postTwilio as post, smsResident, smsSettings, sql, twilioAccount } from './residents.mjs';

const { authToken, accountSid } = twilioAccount;
const publicBase = 'https://311.example.test'; // what Twilio sees, in front of a TLS proxy

const smsConfig = (fake, extra = {}) => smsSettings(publicBase, fake ? fake.url : '', extra);
const postTwilio = (server, route, params, options) => post(server, publicBase, route, params, options);
const texter = (server, from) => smsResident(server, publicBase, from);

async function setStatus(server, trackingId, status, note = '') {
  const args = ['request', 'set-status', '--config', server.configFile, trackingId, status];
  if (note) args.push('--public-note', note);
  const out = await runCli(args);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout;
}

async function reportPothole(resident) {
  const first = await resident.say('hi, I need to report a pothole');
  assert.match(first.join(' '), /where/i);
  let replies = await resident.say('55 N Center St');
  for (let i = 0; i < 3 && !replies.join(' ').includes('YES'); i++) {
    replies = await resident.say('big and deep, right in the lane');
  }
  assert.match(replies.join(' '), /YES/);
  const created = (await resident.say('yes')).join(' ');
  const id = created.match(/311-\d{6}/);
  assert.ok(id, created);
  return id[0];
}

test('a resident reports a pothole over several texts and gets a tracking id', async () => {
  const server = await startServer({ overrides: smsConfig(null) });
  try {
    const resident = texter(() => server, '+15550001111');
    const id = await reportPothole(resident);
    assert.equal(sql(server, `SELECT category || ' ' || channel FROM service_requests WHERE tracking_id = '${id}'`), 'pothole sms');
    const status = await resident.say(`status ${id}`);
    assert.match(status.join(' '), new RegExp(id));
    // XML-significant characters come back escaped, and the reply is still valid TwiML.
    const odd = await resident.send(resident.params('what about <this> & "that"?'));
    assert.match(odd.xml, /^<\?xml version="1.0" encoding="UTF-8"\?><Response>/);
  } finally {
    await server.close();
  }
});

test('a forged or missing signature is refused and changes nothing', async () => {
  const server = await startServer({ overrides: smsConfig(null) });
  try {
    const resident = texter(() => server, '+15550002222');
    const params = resident.params('pothole at 12 W Main St, huge');
    const forged = await postTwilio(server, '/sms/twilio', params, { token: 'not-the-token' });
    assert.equal(forged.status, 403);
    assert.match(forged.body, /signature_invalid/);
    const missing = await postTwilio(server, '/sms/twilio', params, { signature: null });
    assert.equal(missing.status, 400);
    // Signed for another URL (a replay against another endpoint) is forged too.
    const elsewhere = twilio.getExpectedTwilioSignature(authToken, `${publicBase}/other`, params);
    assert.equal((await postTwilio(server, '/sms/twilio', params, { signature: elsewhere })).status, 403);
    // A tampered body under a valid signature is refused.
    const sig = twilio.getExpectedTwilioSignature(authToken, `${publicBase}/sms/twilio`, params);
    const tampered = { ...params, Body: 'pothole at 13 W Main St, huge' };
    assert.equal((await postTwilio(server, '/sms/twilio', tampered, { signature: sig })).status, 403);
    assert.equal(sql(server, 'SELECT count(*) FROM messages'), '0');
    assert.equal(sql(server, 'SELECT count(*) FROM residents'), '0');
    // The log says why, without the message text.
    const refused = server.events().filter((e) => e.event === 'sms_signature_invalid');
    assert.ok(refused.length >= 1);
    assert.doesNotMatch(server.stdout, /12 W Main/);
  } finally {
    await server.close();
  }
});

test('the same MessageSid twice gets the same reply and creates one request', async () => {
  const server = await startServer({ overrides: smsConfig(null) });
  try {
    const resident = texter(() => server, '+15550003333');
    await resident.say('pothole at 55 N Center St, deep one in the right lane');
    const confirm = resident.params('yes');
    const first = await resident.send(confirm);
    const again = await resident.send(confirm);
    assert.match(first.xml, /311-\d{6}/);
    assert.equal(again.xml, first.xml);
    assert.equal(sql(server, 'SELECT count(*) FROM service_requests'), '1');
    assert.equal(sql(server, "SELECT count(*) FROM messages WHERE direction = 'in'"), '2');
  } finally {
    await server.close();
  }
});

test('STOP silences status updates; START brings them back, delivered through the provider', async () => {
  const fake = await startFakeProvider();
  const server = await startServer({ overrides: smsConfig(fake) });
  try {
    const resident = texter(() => server, '+15550004444');
    const id = await reportPothole(resident);
    await resident.say('STOP');
    await setStatus(server, id, 'acknowledged', 'A crew is scheduled.');
    await new Promise((r) => setTimeout(r, 500)); // several polls
    assert.equal(fake.received.length, 0);
    assert.equal(sql(server, "SELECT count(*) FROM notifications WHERE status = 'pending'"), '0');

    await resident.say('START');
    await setStatus(server, id, 'in_progress', 'The crew is on site.');
    await fake.waitFor(() => fake.delivered().length === 1, 10000, 'one status SMS');
    const sent = fake.delivered()[0];
    assert.equal(sent.path, `/2010-04-01/Accounts/${accountSid}/Messages.json`);
    assert.equal(sent.auth, `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`);
    assert.equal(sent.params.To, '+15550004444');
    assert.equal(sent.params.From, '+15550000311');
    assert.match(sent.params.Body, new RegExp(`${id}.*crew is on site`, 's'));
    assert.equal(sent.params.StatusCallback, `${publicBase}/sms/twilio/status`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fake.received.length, 1); // exactly one

    // The provider's id is stored once its answer is back (a moment after it received the send).
    await fake.waitFor(() => sql(server, `SELECT count(*) FROM notifications WHERE provider_message_id = '${sent.sid}'`) === '1',
      5000, 'the provider message id to be stored');
    // Delivery callbacks, signed like inbound: out of order never moves it back.
    const callback = (status) => ({ MessageSid: sent.sid, MessageStatus: status, AccountSid: accountSid, To: '+15550004444' });
    assert.equal((await postTwilio(server, '/sms/twilio/status', callback('delivered'))).status, 204);
    assert.equal((await postTwilio(server, '/sms/twilio/status', callback('sent'))).status, 204);
    assert.equal(sql(server, `SELECT delivery_status FROM notifications WHERE provider_message_id = '${sent.sid}'`), 'delivered');
    assert.equal((await postTwilio(server, '/sms/twilio/status', callback('failed'), { token: 'forged' })).status, 403);
    assert.equal(sql(server, `SELECT delivery_status FROM notifications WHERE provider_message_id = '${sent.sid}'`), 'delivered');
    // The update joined the conversation, for staff.
    assert.equal(sql(server, `SELECT count(*) FROM messages WHERE direction = 'out' AND external_id = '${sent.sid}'`), '1');
  } finally {
    await server.close();
    await fake.close();
  }
});

test('a provider outage delays a notification but never loses it, across a restart', async () => {
  const fake = await startFakeProvider();
  const temp = makeTempDir();
  let server = await startServer({ overrides: smsConfig(fake, { max_attempts: 50 }), dir: temp.dir });
  try {
    const resident = texter(() => server, '+15550005555');
    const id = await reportPothole(resident);
    fake.fail(503);
    await setStatus(server, id, 'in_progress', 'Crew assigned.');
    await fake.waitFor(() => fake.received.length >= 2, 10000, 'retries during the outage');
    assert.equal(fake.delivered().length, 0);
    assert.match(sql(server, 'SELECT status || \' \' || (attempts >= 1) FROM notifications'), /^pending 1$/);
    assert.match(sql(server, 'SELECT last_error FROM notifications'), /503|unavailable/i);

    await server.stop();
    fake.recover();
    server = await startServer({ overrides: smsConfig(fake, { max_attempts: 50 }), dir: temp.dir });
    await fake.waitFor(() => fake.delivered().length === 1, 10000, 'the notification after recovery');
    assert.match(fake.delivered()[0].params.Body, new RegExp(id));
    // The outcome is stored once the provider's answer is back: wait for it (bounded).
    await fake.waitFor(() => sql(server, 'SELECT status FROM notifications') === 'sent', 5000, 'the sent status to be stored');
  } finally {
    await server.close();
    temp.cleanup();
    await fake.close();
  }
});

test('a recipient who opted out at the carrier (21610) is marked opted out and never retried', async () => {
  const fake = await startFakeProvider();
  const server = await startServer({ overrides: smsConfig(fake) });
  try {
    const resident = texter(() => server, '+15550006666');
    const id = await reportPothole(resident);
    fake.fail(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 });
    await setStatus(server, id, 'in_progress');
    await fake.waitFor(() => fake.received.length === 1, 10000, 'the refused send');
    await new Promise((r) => setTimeout(r, 1500)); // longer than the retry wait
    assert.equal(fake.received.length, 1);
    assert.equal(sql(server, "SELECT opted_out_at IS NOT NULL FROM residents WHERE address = '+15550006666'"), '1');
    assert.equal(sql(server, 'SELECT status FROM notifications'), 'suppressed');
  } finally {
    await server.close();
    await fake.close();
  }
});

test('a sender over the per-minute limit is asked once to wait, then stored but not answered', async () => {
  const server = await startServer({ overrides: smsConfig(null, { max_messages_per_minute: 3 }) });
  try {
    const resident = texter(() => server, '+15550007777');
    for (let i = 0; i < 3; i++) assert.equal((await resident.say(`hello ${i}`)).length, 1);
    assert.match((await resident.say('hello?')).join(' '), /wait a minute/);
    assert.deepEqual(await resident.say('hello??'), []);
    assert.equal(sql(server, "SELECT count(*) FROM messages WHERE direction = 'in'"), '5');
  } finally {
    await server.close();
  }
});

test('MMS photos are kept on the request', async () => {
  const server = await startServer({ overrides: smsConfig(null) });
  try {
    const resident = texter(() => server, '+15550008888');
    await resident.say('graffiti at 12 W Main St, tags all over the wall', {
      NumMedia: '1', MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
      MediaContentType0: 'image/jpeg' });
    const created = (await resident.say('yes')).join(' ');
    const id = created.match(/311-\d{6}/)[0];
    assert.match(sql(server, `SELECT media_urls_json FROM service_requests WHERE tracking_id = '${id}'`), /Media\/ME1/);
  } finally {
    await server.close();
  }
});

test('bad webhook input gets a clear error: wrong type, malformed form, missing fields', async () => {
  const server = await startServer({ overrides: smsConfig(null) });
  try {
    const json = await fetch(`${server.url}/sms/twilio`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 415);
    const malformed = await fetch(`${server.url}/sms/twilio`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'x' }, body: 'Body=%ZZ' });
    assert.equal(malformed.status, 400);
    const noSid = await postTwilio(server, '/sms/twilio', { From: '+15550009999', Body: 'hi' });
    assert.equal(noSid.status, 400);
    assert.match(noSid.body, /MessageSid/);
  } finally {
    await server.close();
  }
});

test('Vonage: multipart messages are joined, and the reply leaves through its API', async () => {
  const fake = await startFakeProvider();
  const server = await startServer({ overrides: smsConfig(fake) });
  try {
    const url = `${server.url}/sms/vonage?secret=vonage-secret-0123456789`;
    const part = (n, text) => ({ msisdn: '15550001212', to: '15550000311', messageId: `v-${n}`, text, type: 'text',
      'message-timestamp': '2026-11-28 10:00:00', concat: 'true', 'concat-ref': '42', 'concat-total': '2', 'concat-part': String(n) });
    const post = (body) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post(part(2, 'at 55 N Center St, deep'))).status, 200);
    assert.equal(sql(server, 'SELECT count(*) FROM messages'), '0'); // waits for part 1
    assert.equal((await post(part(1, 'there is a pothole '))).status, 200);
    await fake.waitFor(() => fake.delivered().length === 1, 10000, 'the reply through Vonage');
    const reply = fake.delivered()[0];
    assert.equal(reply.path, '/sms/json');
    assert.equal(reply.params.to, '15550001212');
    assert.equal(reply.params.api_key, 'vkey');
    assert.match(reply.params.text, /Pothole/);
    assert.equal(sql(server, "SELECT body FROM messages WHERE direction = 'in'"), 'there is a pothole at 55 N Center St, deep');
    // A wrong or missing secret is refused, and the secret never reaches the log.
    for (const query of ['?secret=not-the-secret-000000', '']) {
      const wrong = await fetch(`${server.url}/sms/vonage${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(part(1, 'x')) });
      assert.equal(wrong.status, 403);
    }
    assert.doesNotMatch(server.stdout, /vonage-secret-0123456789/);
  } finally {
    await server.close();
    await fake.close();
  }
});

test('`civicline sms send` signs like Twilio and prints the reply', async () => {
  const server = await startServer({ overrides: smsConfig(null) });
  try {
    const out = await runCli(['sms', 'send', '--config', server.configFile, '--server', server.url,
      '--from', '+15550001234', "there's a pothole on Main St"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /pothole/i);
    assert.equal(sql(server, "SELECT count(*) FROM residents WHERE address = '+15550001234'"), '1');
  } finally {
    await server.close();
  }
});
