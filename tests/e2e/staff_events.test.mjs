// Live updates for staff screens, end to end: GET /api/v1/events streams changes to requests as
// Server-Sent Events within a second, resumes after a dropped connection with Last-Event-ID
// (nothing lost), needs a staff role, and does not hold up a shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { chatReport } from './residents.mjs';
import { staffClient } from './staff_client.mjs';

let server, key;
const staff = staffClient(() => server);
const waitMs = 5000; // every wait here is bounded by this

/** Opens the event stream; next(predicate) resolves to the first event matching it. */
async function listen(headers = {}) {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/v1/events`, {
    headers: { Authorization: `Bearer ${key}`, ...headers }, signal: controller.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const seen = [];
  return {
    seen,
    async next(predicate, what) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const found = seen.find(predicate);
        if (found) return found;
        const left = deadline - Date.now();
        assert.ok(left > 0, `no ${what} within ${waitMs} ms; saw ${JSON.stringify(seen)}`);
        const chunk = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r({ timeout: true }), left))]);
        if (chunk.timeout) continue;
        if (chunk.done) return undefined;
        buffered += decoder.decode(chunk.value, { stream: true });
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const message = {};
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue; // comments (": keep-alive") and blank lines
            message[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (message.data) message.json = JSON.parse(message.data);
          seen.push(message);
        }
      }
    },
    close() { controller.abort(); },
  };
}

before(async () => {
  server = await startServer();
  key = await staff.createKey('staff', 'screens');
});

after(async () => { await server?.close(); });

test('a change to a request reaches a listening screen at once', async () => {
  const stream = await listen();
  const hello = await stream.next((m) => m.retry, 'greeting');
  assert.ok(Number(hello.id) >= 0);
  const id = await chatReport(server, 'there is a pothole at 55 N Center St, pretty deep');
  const created = await stream.next((m) => m.event === 'request.created', 'request.created');
  assert.equal(created.json.tracking_id, id);
  assert.doesNotMatch(created.data, /web_chat_session|Cookie/i);
  const started = Date.now();
  const patched = await staff.api('PATCH', `/api/v1/requests/${id}`, { auth: { key }, body: { priority: 'high' } });
  assert.equal(patched.status, 200);
  const updated = await stream.next((m) => m.event === 'request.updated' && m.json.tracking_id === id, 'request.updated');
  assert.deepEqual(updated.json.changes, ['priority']);
  assert.ok(Date.now() - started < 2000, 'within the poll interval');
  stream.close();
});

test('a reconnect with Last-Event-ID gets what it missed, once', async () => {
  const stream = await listen();
  const hello = await stream.next((m) => m.retry, 'greeting');
  stream.close();
  const id = await chatReport(server, 'graffiti on the wall at 12 W Main St, spray paint everywhere');
  await staff.api('PATCH', `/api/v1/requests/${id}`, { auth: { key }, body: { status: 'acknowledged' } });
  const resumed = await listen({ 'Last-Event-ID': hello.id });
  await resumed.next((m) => m.event === 'request.status_changed' && m.json.tracking_id === id, 'the missed status change');
  const created = resumed.seen.filter((m) => m.event === 'request.created');
  assert.deepEqual(created.map((m) => m.json.tracking_id), [id], 'each missed event once, and only those');
  const ids = resumed.seen.filter((m) => m.event).map((m) => Number(m.id));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in order');
  resumed.close();
});

test('the stream needs a staff role and a valid resume point', async () => {
  assert.equal((await fetch(`${server.url}/api/v1/events`)).status, 401);
  const partner = await staff.createKey('partner', 'utility');
  assert.equal((await fetch(`${server.url}/api/v1/events`, { headers: { Authorization: `Bearer ${partner}` } })).status, 403);
  const bad = await fetch(`${server.url}/api/v1/events`, { headers: { Authorization: `Bearer ${key}`, 'Last-Event-ID': 'abc' } });
  assert.equal(bad.status, 400);
});

test('an open stream does not hold up a shutdown', async () => {
  const stream = await listen();
  await stream.next((m) => m.retry, 'greeting');
  const started = Date.now();
  const exit = await server.stop('SIGTERM', 10000);
  assert.equal(exit.code, 0, server.stderr);
  assert.ok(Date.now() - started < 3000, `stopped in ${Date.now() - started} ms`);
  stream.close();
});
