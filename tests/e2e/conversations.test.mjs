// Conversations end to end: the web chat endpoint, the real binary, a real
// SQLite file, and a restart between turns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir, startServer } from './harness.mjs';
import { chatVisitor } from './residents.mjs';

const visitor = chatVisitor;

test('a report in one message, confirmed, gets a tracking id that a status check finds', async () => {
  const server = await startServer();
  try {
    const resident = visitor(() => server);
    const first = await resident.say('there is a pothole at 55 N Center St, pretty deep');
    assert.match(first.setCookie, /civicline_chat=[A-Za-z0-9_-]{43}; Path=\/chat; HttpOnly; SameSite=Lax/);
    assert.equal(first.texts.length, 1);
    assert.match(first.texts[0], /Pothole at 55 N Center St/);
    assert.match(first.texts[0], /YES/);
    const created = await resident.say('yes');
    assert.match(created.tracking_id, /^311-\d{6}$/);
    assert.match(created.texts[0], new RegExp(created.tracking_id));
    assert.match(created.texts[0], /3 days/);
    const status = await resident.say(`status ${created.tracking_id}`);
    assert.match(status.texts[0], new RegExp(`${created.tracking_id}.*received`));

    // Another visitor sees only the public status: no location detail of someone else's report.
    const stranger = visitor(() => server);
    const seen = await stranger.say(`status ${created.tracking_id}`);
    assert.match(seen.texts[0], new RegExp(created.tracking_id));
    assert.doesNotMatch(seen.texts[0], /Center St/);
  } finally {
    await server.close();
  }
});

test('a restart between every turn loses nothing, in Spanish', async () => {
  const temp = makeTempDir();
  let server;
  try {
    const resident = visitor(() => server);
    const turns = [
      ['hola, quiero reportar un bache', /dónde|dirección|lugar/i],
      ['en 1400 N Alma School Rd', /Describa el problema/],
      ['es muy profundo, en el carril de bicicletas', /Bache en 1400 N Alma School Rd/],
      ['sí', /311-\d{6}/],
    ];
    for (const [text, expected] of turns) {
      server = await startServer({ dir: temp.dir });
      const reply = await resident.say(text);
      assert.match(reply.texts.join(' '), expected, `after "${text}": ${reply.texts.join(' | ')}`);
      const exit = await server.stop('SIGTERM');
      assert.equal(exit.code, 0);
    }
  } finally {
    await server?.stop();
    temp.cleanup();
  }
});

test('STOP silences the bot and START brings it back', async () => {
  const server = await startServer();
  try {
    const resident = visitor(() => server);
    await resident.say('hi');
    assert.deepEqual((await resident.say('STOP')).texts, []);
    assert.deepEqual((await resident.say('there is graffiti on 5th ave')).texts, []);
    const back = await resident.say('START');
    assert.equal(back.texts.length, 1);
    assert.match(back.texts[0], /subscribed/i);
  } finally {
    await server.close();
  }
});

test('odd messages get a helpful reply, never an error page or silence', async () => {
  const server = await startServer();
  try {
    // A new visitor for each: two misses in a row rightly hand a conversation to staff.
    for (const text of ['', '   ', 'x'.repeat(10 * 1024), "'; DROP TABLE service_requests;--", '🕳️🕳️🕳️',
      'Bonjour, il y a un problème', '\u0000\u0001', 'a\uFFFDb']) {
      const reply = await visitor(() => server).say(text);
      assert.ok(reply.texts.length >= 1, `no reply to ${JSON.stringify(text.slice(0, 20))}`);
      assert.ok(reply.texts.every((t) => t.length > 0 && t.length < 400));
    }
    assert.equal((await visitor(() => server).say('status 311-999999')).texts.length, 1);
  } finally {
    await server.close();
  }
});

test('malformed chat requests get clear errors', async () => {
  const server = await startServer();
  try {
    const post = (body, type = 'application/json', cookie) => fetch(`${server.url}/chat/api/messages`, {
      method: 'POST', headers: { 'Content-Type': type, ...(cookie ? { Cookie: cookie } : {}) }, body,
    });
    assert.equal((await post('{"text":')).status, 400);
    assert.equal((await post('{"message":"hi"}')).status, 422);
    assert.equal((await post('{"text": 5}')).status, 422);
    assert.equal((await post('["hi"]')).status, 422);
    assert.equal((await post('{"text":"hi","lat":91,"long":0}')).status, 422);
    assert.equal((await post('{"text":"hi","lat":33.4}')).status, 422);
    assert.equal((await post(JSON.stringify({ text: 'x'.repeat(17000) }))).status, 422);
    assert.equal((await post('text=hi', 'application/x-www-form-urlencoded')).status, 415);
    // A forged or malformed session cookie starts a fresh session instead of failing.
    const forged = await post('{"text":"hi"}', 'application/json', 'civicline_chat=../../etc');
    assert.equal(forged.status, 200);
    assert.match(forged.headers.get('set-cookie'), /civicline_chat=[A-Za-z0-9_-]{43};/);
    // Invalid UTF-8 inside the JSON string is refused by the JSON parser, not a crash.
    const raw = Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const invalid = await post(raw);
    assert.ok([200, 400].includes(invalid.status));
  } finally {
    await server.close();
  }
});
