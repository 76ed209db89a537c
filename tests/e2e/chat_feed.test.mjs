// The web chat's transcript feed end to end: history after a cursor, resume without loss or
// doubles over the WebSocket and the long-poll, pushes of status changes, the origin check,
// cross-site sessions in a header and the rate limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { chatVisitor } from './residents.mjs';
import { staffClient } from './staff_client.mjs';
import { history, openFeed } from './chat_client.mjs';

const embedder = 'https://www.city.example';
let server;
let staffKey;

before(async () => {
  server = await startServer({ overrides: { chat: { allowed_origins: [embedder] } } });
  staffKey = await staffClient(() => server).createKey('staff', 'chat-feed');
});
after(async () => { await server?.close(); });

const ids = (messages) => messages.map((m) => m.id);

test('the history returns both sides after a cursor, with buttons and tracking ids', async () => {
  const visitor = chatVisitor(() => server);
  await visitor.say('there is a pothole at 55 N Center St, pretty deep');
  const first = await history(server, { cookie: visitor.cookie });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('cache-control'), 'no-store');
  assert.deepEqual(first.body.messages.map((m) => m.from), ['visitor', 'city']);
  assert.equal(first.body.messages[0].text, 'there is a pothole at 55 N Center St, pretty deep');
  assert.deepEqual(first.body.messages[1].quick_replies.map((q) => q.value), ['YES', 'NO']);
  assert.equal(first.body.cursor, first.body.messages[1].id);

  const none = await history(server, { cookie: visitor.cookie, after: first.body.cursor });
  assert.deepEqual(none.body, { type: 'messages', messages: [], cursor: first.body.cursor });

  const created = await visitor.say('yes');
  const next = await history(server, { cookie: visitor.cookie, after: first.body.cursor });
  assert.equal(next.body.messages.length, 2);
  assert.ok(next.body.messages[0].id > first.body.cursor);
  assert.deepEqual(next.body.messages[1].tracking_ids, [created.tracking_id]);

  // Nobody else's transcript: a new visitor and a visitor without a session see nothing.
  const stranger = chatVisitor(() => server);
  await stranger.say('hello');
  const theirs = await history(server, { cookie: stranger.cookie });
  assert.ok(theirs.body.messages.every((m) => !ids(first.body.messages).includes(m.id)));
  assert.deepEqual((await history(server)).body.messages, []);

  assert.equal((await history(server, { cookie: visitor.cookie, after: -1 })).status, 400);
  assert.equal((await history(server, { cookie: visitor.cookie, wait: 26 })).status, 400);
});

test('the WebSocket sends what the visitor missed, then pushes a status change live', async (t) => {
  const visitor = chatVisitor(() => server);
  await visitor.say('pothole at 200 E Main St, very deep');
  const created = await visitor.say('yes');
  const feed = await openFeed(server, { cookie: visitor.cookie });
  await feed.until(() => feed.messages().length === 4, 5000, 'the transcript so far');
  const cursor = feed.messages().at(-1).id;

  const started = Date.now();
  const api = staffClient(() => server).api;
  const changed = await api('PATCH', `/api/v1/requests/${created.tracking_id}`, {
    auth: { key: staffKey }, body: { status: 'in_progress', public_note: 'A crew is on the way.' },
  });
  assert.equal(changed.status, 200, changed.text);
  await feed.until(() => feed.messages().length === 5, 2000, 'the status change');
  const pushed = feed.messages()[4];
  assert.ok(Date.now() - started < 2000);
  t.diagnostic(`status change to push: ${Date.now() - started} ms`);
  assert.equal(pushed.from, 'city');
  assert.match(pushed.text, new RegExp(`${created.tracking_id}.*in progress`));
  assert.ok(pushed.id > cursor);
  await feed.close();

  // Disconnected: the visitor writes on; a reconnect from the last cursor gets exactly the new
  // lines, once each.
  const last = pushed.id;
  await visitor.say(`status ${created.tracking_id}`);
  const again = await openFeed(server, { cookie: visitor.cookie, after: last });
  await again.until(() => again.messages().length >= 2, 5000, 'the missed lines');
  await new Promise((resolve) => setTimeout(resolve, 600));  // time for a wrong extra push
  assert.equal(again.messages().length, 2);
  assert.ok(again.messages().every((m) => m.id > last));
  assert.equal(again.messages()[0].text, `status ${created.tracking_id}`);
  await again.close();
});

test('a staff reply after a handoff reaches the chat over the socket', async () => {
  const visitor = chatVisitor(() => server);
  await visitor.say('I want to talk to a person');
  const feed = await openFeed(server, { cookie: visitor.cookie });
  await feed.until(() => feed.messages().length === 2);
  const api = staffClient(() => server).api;
  const waiting = await api('GET', '/api/v1/handoffs', { auth: { key: staffKey } });
  const handoff = waiting.body.items.find((h) => h.channel === 'web_chat');
  const reply = await api('POST', `/api/v1/handoffs/${handoff.id}/replies`,
    { auth: { key: staffKey }, body: { text: 'Hi, this is Sam from 311.' } });
  assert.equal(reply.status, 201, reply.text);
  await feed.until(() => feed.messages().length === 3, 2000, 'the staff reply');
  assert.equal(feed.messages()[2].text, 'Hi, this is Sam from 311.');
  await feed.close();
});

test('the long-poll answers as soon as a message arrives and waits no longer than asked', async () => {
  const visitor = chatVisitor(() => server);
  await visitor.say('hello');
  const { body } = await history(server, { cookie: visitor.cookie });

  const started = Date.now();
  const quiet = await history(server, { cookie: visitor.cookie, after: body.cursor, wait: 1 });
  assert.deepEqual(quiet.body.messages, []);
  assert.ok(Date.now() - started >= 900 && Date.now() - started < 3000);

  const waiting = history(server, { cookie: visitor.cookie, after: body.cursor, wait: 10 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sentAt = Date.now();
  await visitor.say('thanks');
  const answered = await waiting;
  assert.ok(Date.now() - sentAt < 2000);
  assert.equal(answered.body.messages[0].text, 'thanks');
});

test('pages of other sites are refused; allow-listed ones get CORS and a header session', async () => {
  const visitor = chatVisitor(() => server);
  await visitor.say('hello');
  await assert.rejects(openFeed(server, { cookie: visitor.cookie, origin: 'https://evil.example' }),
    (e) => e.statusCode === 403);
  const forged = await fetch(`${server.url}/chat/api/messages`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example', Cookie: visitor.cookie },
    body: JSON.stringify({ text: 'hi' }),
  });
  assert.equal(forged.status, 403);
  assert.equal((await history(server, { cookie: visitor.cookie, headers: { Origin: 'https://evil.example' } })).status, 403);

  // The page's own origin is fine.
  const same = await openFeed(server, { cookie: visitor.cookie, origin: server.url });
  await same.until(() => same.messages().length === 2);
  await same.close();

  // An allow-listed site: preflight, a new session returned in the header, then that header.
  const preflight = await fetch(`${server.url}/chat/api/messages`, {
    method: 'OPTIONS', headers: { Origin: embedder, 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), embedder);
  assert.match(preflight.headers.get('access-control-allow-headers'), /X-Civicline-Chat-Session/);
  const post = (text, headers = {}) => fetch(`${server.url}/chat/api/messages`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: embedder, ...headers }, body: JSON.stringify({ text }),
  });
  const first = await post('pothole at 55 N Center St');
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('access-control-allow-origin'), embedder);
  const session = first.headers.get('x-civicline-chat-session');
  assert.match(session, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await post('no', { 'X-Civicline-Chat-Session': session })).status, 200);
  const transcript = await history(server, { headers: { Origin: embedder, 'X-Civicline-Chat-Session': session } });
  assert.equal(transcript.body.messages.length, 4);
  assert.equal(transcript.body.messages[2].text, 'no');
  const socket = await openFeed(server, { origin: embedder, session });
  await socket.until(() => socket.messages().length === 4);
  await socket.close();
  // A refused site cannot ride on the same token.
  await assert.rejects(openFeed(server, { origin: 'https://evil.example', session }), (e) => e.statusCode === 403);
});

test('the socket needs a session, and plain GETs of it get 426', async () => {
  await assert.rejects(openFeed(server), (e) => e.statusCode === 401);
  const visitor = chatVisitor(() => server);
  await visitor.say('hello');
  const plain = await fetch(`${server.url}/chat/ws`, { headers: { Cookie: visitor.cookie } });
  assert.equal(plain.status, 426);
  assert.equal(plain.headers.get('upgrade'), 'websocket');
});

test('rate limits per session and per address answer 429 with a please-wait reply', async () => {
  const limited = await startServer({ overrides: { chat: { max_messages_per_minute_per_session: 3, max_messages_per_minute_per_ip: 6 } } });
  try {
    const post = (body, cookie) => fetch(`${limited.url}/chat/api/messages`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify(body),
    });
    const visitor = chatVisitor(() => limited);
    for (let i = 0; i < 3; i++) await visitor.say('hello');
    const over = await post({ text: 'hello', lang: 'es' }, visitor.cookie);
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), '60');
    const body = await over.json();
    assert.equal(body.error.code, 'too_many_requests');
    assert.match(body.replies[0].text, /Espere un minuto/);
    // The refused message was not stored.
    assert.equal((await history(limited, { cookie: visitor.cookie })).body.messages.filter((m) => m.from === 'visitor').length, 3);

    // New sessions from the same address: 6 in all per minute (4 used above).
    assert.equal((await post({ text: 'hello' })).status, 200);
    assert.equal((await post({ text: 'hello' })).status, 200);
    const flood = await post({ text: 'hello' });
    assert.equal(flood.status, 429);
    assert.match((await flood.json()).replies[0].text, /Please wait a minute/);
  } finally {
    await limited.close();
  }
});

test('open sockets close with "going away" when the server stops', async () => {
  const own = await startServer();
  try {
    const visitor = chatVisitor(() => own);
    await visitor.say('hello');
    const feed = await openFeed(own, { cookie: visitor.cookie });
    await feed.until(() => feed.messages().length === 2);
    const started = Date.now();
    const exit = await own.stop('SIGTERM');
    assert.equal(exit.code, 0);
    assert.ok(Date.now() - started < 5000);
    await feed.until(() => feed.closed !== null, 2000, 'the close');
    assert.equal(feed.closed.code, 1001);
  } finally {
    await own.stop();
  }
});

test("the widget's language switch sets the reply language", async () => {
  const visitor = chatVisitor(() => server);
  assert.match((await visitor.say('hello', { lang: 'es' })).texts.join(' '), /Responda 1/);
  assert.match((await visitor.say('hello', { lang: 'en' })).texts.join(' '), /Reply 1/);
  const bad = await fetch(`${server.url}/chat/api/messages`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'hi', lang: 'fr' }),
  });
  assert.equal(bad.status, 422);
});
