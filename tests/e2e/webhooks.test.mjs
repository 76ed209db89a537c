// Partner webhooks end to end, against receivers this test starts on 127.0.0.1: every
// delivery verified with the standardwebhooks npm package; a receiver that is down and comes
// back gets every event; a kill -9 in the middle of a burst of status changes loses nothing
// that was committed; 410 disables an endpoint; a slow receiver does not hold up a fast one;
// private addresses are refused unless allow-listed; the admin API is for admins only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { runCli, startServer, makeTempDir, waitFor } from './harness.mjs';
import { chatReport, sql } from './residents.mjs';

// Shrunk so the whole file runs in well under a minute: 1 s between attempts, no jitter.
const webhookSettings = {
  webhooks: {
    allow_private_hosts: ['127.0.0.1'],
    retry_schedule_seconds: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    retry_jitter_percent: 0,
    poll_interval_ms: 50,
  },
};

let server;
const keys = {};
const receivers = [];

/**
 * A partner's endpoint on 127.0.0.1. `respond(req, body)` decides the answer (default 200);
 * every request is kept with its headers and body. stop()/restart() take it down and bring it
 * back on the same port.
 */
async function startReceiver(respond = () => ({ status: 200 })) {
  const receiver = { received: [], respond, port: 0, sockets: new Set() };
  const handler = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      const entry = { headers: req.headers, body, at: Date.now() };
      receiver.received.push(entry);
      const answer = await receiver.respond(entry);
      res.writeHead(answer.status, answer.headers ?? { 'Content-Type': 'text/plain' });
      res.end(answer.body ?? 'ok');
    });
  };
  receiver.listen = (port) => new Promise((resolve) => {
    receiver.server = http.createServer(handler);
    receiver.server.on('connection', (s) => { receiver.sockets.add(s); s.on('close', () => receiver.sockets.delete(s)); });
    receiver.server.listen(port, '127.0.0.1', () => { receiver.port = receiver.server.address().port; resolve(); });
  });
  receiver.stop = () => new Promise((resolve) => {
    receiver.server.close(() => resolve());
    for (const s of receiver.sockets) s.destroy();
  });
  receiver.url = (path = '/hooks') => `http://127.0.0.1:${receiver.port}${path}`;
  /** Distinct webhook-ids received so far. */
  receiver.ids = () => new Set(receiver.received.map((r) => r.headers['webhook-id']));
  await receiver.listen(0);
  receivers.push(receiver);
  return receiver;
}

async function api(method, route, { key, body } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${server.url}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

async function cli(target, args) {
  const out = await runCli([...args, '--config', target.configFile]);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout;
}

async function createKeys(target) {
  const made = {};
  for (const role of ['admin', 'staff', 'partner']) {
    made[role] = (await cli(target, ['create-api-key', '--role', role, '--name', `${role}-hooks`])).trim().split('\n').at(-1);
  }
  return made;
}


/** Asserts every request the receiver got verifies with `secret` (the npm package's check). */
function assertAllVerify(receiver, secret) {
  const wh = new Webhook(secret);
  assert.ok(receiver.received.length > 0);
  for (const r of receiver.received) {
    const payload = wh.verify(r.body, {
      'webhook-id': r.headers['webhook-id'],
      'webhook-timestamp': r.headers['webhook-timestamp'],
      'webhook-signature': r.headers['webhook-signature'],
    });
    assert.equal(typeof payload.type, 'string');
  }
}

async function subscribe(receiver, extra = {}) {
  const res = await api('POST', '/api/v1/webhooks', { key: keys.admin, body: { url: receiver.url(), events: ['request.*'], ...extra } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function setStatus(target, trackingId, status) {
  return fetch(`${target.url}/api/v1/requests/${trackingId}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${target.keys.admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status }),
  });
}

before(async () => {
  server = await startServer({ overrides: webhookSettings });
  Object.assign(keys, await createKeys(server));
  server.keys = keys;
});

after(async () => {
  for (const r of receivers) await r.stop().catch(() => {});
  await server?.close();
});

test('every admin endpoint answers 401 without credentials and 403 to other roles', async () => {
  const routes = [
    ['POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/x' }],
    ['GET', '/api/v1/webhooks'],
    ['GET', '/api/v1/webhooks/1'],
    ['PATCH', '/api/v1/webhooks/1', { enabled: false }],
    ['DELETE', '/api/v1/webhooks/1'],
    ['POST', '/api/v1/webhooks/1/rotate-secret', {}],
    ['GET', '/api/v1/webhooks/1/deliveries'],
    ['POST', '/api/v1/webhooks/1/redeliver', { failed_since: '2026-01-01T00:00:00.000Z' }],
    ['GET', '/api/v1/events/evt_1/deliveries'],
  ];
  for (const [method, route, body] of routes) {
    assert.equal((await api(method, route, { body })).status, 401, `${method} ${route}`);
    for (const role of ['staff', 'partner']) {
      assert.equal((await api(method, route, { body, key: keys[role] })).status, 403, `${method} ${route} as ${role}`);
    }
  }
  assert.equal(Number(sql(server, 'SELECT count(*) FROM webhook_subscriptions')), 0);
});

test('private and internal endpoints are refused with a clear error unless allow-listed', async () => {
  for (const url of ['https://169.254.169.254/latest/meta-data', 'https://10.1.2.3/hooks', 'https://localhost:8443/hooks']) {
    const res = await api('POST', '/api/v1/webhooks', { key: keys.admin, body: { url } });
    assert.equal(res.status, 422, url);
    assert.match(res.body.error.message, /resolves to .*(loopback|private|link-local).*webhooks\.allow_private_hosts/, url);
  }
  const plain = await api('POST', '/api/v1/webhooks', { key: keys.admin, body: { url: 'http://partner.example/hooks' } });
  assert.equal(plain.status, 422);
  assert.match(plain.body.error.message, /must use https/);
  const bad = await api('POST', '/api/v1/webhooks', { key: keys.admin, body: { url: 'http://127.0.0.1:9/x', events: ['request.'] } });
  assert.equal(bad.status, 422);
  assert.match(bad.body.error.message, /request\.\*/);

  const cliRefused = await runCli(['webhooks', 'add', '--url', 'https://192.168.1.10/hooks', '--config', server.configFile]);
  assert.equal(cliRefused.code, 65, cliRefused.stderr);
  assert.match(cliRefused.stderr, /192\.168\.1\.10 .*private/);
  assert.equal(Number(sql(server, 'SELECT count(*) FROM webhook_subscriptions')), 0);
});

test('webhooks add prints the subscription with its secret; deliveries verify with standardwebhooks', async () => {
  const receiver = await startReceiver();
  const out = JSON.parse(await cli(server, ['webhooks', 'add', '--url', receiver.url(), '--events', 'request.*']));
  assert.ok(out.id > 0);
  assert.match(out.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.deepEqual(out.events, ['request.*']);
  assert.equal(out.enabled, true);
  // The secret is shown once: never in a listing.
  const listed = await api('GET', '/api/v1/webhooks', { key: keys.admin });
  assert.equal(listed.status, 200);
  assert.ok(listed.body.items.some((s) => s.id === out.id));
  assert.ok(!JSON.stringify(listed.body).includes(out.secret));

  const id = await chatReport(server, 'pothole at 55 N Center St, a deep one near my house');
  assert.equal((await setStatus(server, id, 'in_progress')).status, 200);
  await waitFor('created and status_changed', () => receiver.received.length >= 2);
  assertAllVerify(receiver, out.secret);
  const bodies = receiver.received.map((r) => JSON.parse(r.body));
  assert.deepEqual(bodies.map((b) => b.type), ['request.created', 'request.status_changed']);
  assert.equal(bodies[1].data.tracking_id, id);
  assert.equal(bodies[1].data.status, 'in_progress');
  assert.equal(bodies[1].data.previous_status, 'new');
  // No PII without the grant: the resident's own words stay home.
  for (const b of bodies) assert.equal(b.data.description, undefined);
  // The ids are the stored event ids, and the body carries the stored type and time.
  for (const r of receiver.received) {
    const stored = sql(server, `SELECT type || '|' || created_at FROM outbox_events WHERE event_id = '${r.headers['webhook-id']}'`);
    const body = JSON.parse(r.body);
    assert.equal(stored, `${body.type}|${body.timestamp}`);
  }

  // Observability: the deliveries with their attempt log, per endpoint and per event.
  const deliveries = await api('GET', `/api/v1/webhooks/${out.id}/deliveries`, { key: keys.admin });
  assert.equal(deliveries.status, 200);
  assert.equal(deliveries.body.items.length, 2);
  for (const d of deliveries.body.items) {
    assert.equal(d.status, 'delivered');
    assert.equal(d.attempt_log.length, 1);
    assert.equal(d.attempt_log[0].status_code, 200);
    assert.equal(d.attempt_log[0].response, 'ok');
    assert.ok(d.attempt_log[0].latency_ms >= 0);
  }
  const eventId = receiver.received[1].headers['webhook-id'];
  const perEvent = await api('GET', `/api/v1/events/${eventId}/deliveries`, { key: keys.admin });
  assert.equal(perEvent.body.items.length, 1);
  assert.equal(perEvent.body.items[0].subscription_id, out.id);

  // Redeliver one event: the same webhook-id and body arrive again.
  const again = await api('POST', `/api/v1/webhooks/${out.id}/redeliver`, { key: keys.admin, body: { event_id: eventId } });
  assert.equal(again.status, 202);
  assert.equal(again.body.redelivering, 1);
  await waitFor('the redelivery', () => receiver.received.length === 3);
  assert.equal(receiver.received[2].headers['webhook-id'], eventId);
  assert.equal(receiver.received[2].body, receiver.received[1].body);
  assertAllVerify(receiver, out.secret);

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /civicline_webhook_attempts_total\{outcome="delivered"\} [3-9]/);
  assert.match(metrics, /civicline_webhook_queue_age_seconds /);
  await api('DELETE', `/api/v1/webhooks/${out.id}`, { key: keys.admin });
});

test('a receiver that is down for a while gets every event once it is back', async () => {
  const receiver = await startReceiver();
  const sub = await subscribe(receiver);
  await receiver.stop();  // connection refused from now on
  const id = await chatReport(server, 'streetlight out at 200 S Main St');
  for (const status of ['acknowledged', 'in_progress', 'resolved']) {
    assert.equal((await setStatus(server, id, status)).status, 200);
  }
  // Every event has failed at least once.
  await waitFor('failed attempts', async () => {
    const res = await api('GET', `/api/v1/webhooks/${sub.id}/deliveries`, { key: keys.admin });
    return res.body.items.length === 4 && res.body.items.every((d) => d.attempts >= 1 && d.status === 'pending' && /refused|connect/i.test(d.last_error));
  });
  const failing = await api('GET', `/api/v1/webhooks/${sub.id}`, { key: keys.admin });
  assert.ok(failing.body.failing_since);
  await receiver.listen(receiver.port);
  const expected = sql(server, `SELECT event_id FROM outbox_events WHERE type LIKE 'request.%' AND payload_json LIKE '%${id}%' ORDER BY id`).split('\n');
  assert.equal(expected.length, 4);
  await waitFor('every event after the outage', () => expected.every((e) => receiver.ids().has(e)));
  assertAllVerify(receiver, sub.secret);
  const healthy = await api('GET', `/api/v1/webhooks/${sub.id}`, { key: keys.admin });
  assert.equal(healthy.body.failing_since, null);
  assert.equal((await api('DELETE', `/api/v1/webhooks/${sub.id}`, { key: keys.admin })).status, 204);
  assert.equal((await api('GET', `/api/v1/webhooks/${sub.id}`, { key: keys.admin })).status, 404);
  assert.equal(sql(server, `SELECT count(*) FROM webhook_deliveries WHERE subscription_id = ${sub.id}`), '0');
});

test('a rotated secret signs alongside the old one; the PII grant adds what residents wrote', async () => {
  const receiver = await startReceiver();
  const sub = await subscribe(receiver, { include_pii: true, categories: ['pothole'] });
  const rotated = await api('POST', `/api/v1/webhooks/${sub.id}/rotate-secret`, { key: keys.admin, body: {} });
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.secret, sub.secret);
  assert.match(rotated.body.secret, /^whsec_/);
  assert.ok(rotated.body.previous_secret_expires_at > new Date().toISOString());
  await chatReport(server, 'streetlight out at 500 S State St');  // not a pothole: filtered out
  const id = await chatReport(server, 'pothole at 400 S State St, it is deep and I am worried');
  await waitFor('the pothole event', () => receiver.received.length >= 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(receiver.received.length, 1);
  const [only] = receiver.received;
  assert.equal(only.headers['webhook-signature'].split(' ').length, 2);
  // Receivers that still hold the old secret and those that have the new one both verify.
  assertAllVerify(receiver, sub.secret);
  assertAllVerify(receiver, rotated.body.secret);
  const body = JSON.parse(only.body);
  assert.equal(body.data.tracking_id, id);
  assert.match(body.data.description, /deep/);
  await api('DELETE', `/api/v1/webhooks/${sub.id}`, { key: keys.admin });
});

test('a receiver answering 410 Gone is disabled and gets nothing more', async () => {
  const receiver = await startReceiver(() => ({ status: 410 }));
  const sub = await subscribe(receiver);
  const id = await chatReport(server, 'graffiti on the wall at 10 E 100 S');
  await waitFor('the 410', () => receiver.received.length >= 1);
  const disabled = await waitFor('the endpoint disabled', async () => {
    const res = await api('GET', `/api/v1/webhooks/${sub.id}`, { key: keys.admin });
    return res.body.enabled === false ? res.body : null;
  });
  assert.match(disabled.disabled_reason, /410/);
  assert.equal((await setStatus(server, id, 'in_progress')).status, 200);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(receiver.received.length, 1);
  assert.ok(server.events().some((e) => e.event === 'webhook_endpoint_disabled' && e.subscription_id === sub.id));
  assert.equal(sql(server, `SELECT count(*) FROM outbox_events WHERE type = 'webhook.endpoint_disabled'`), '1');
  await api('DELETE', `/api/v1/webhooks/${sub.id}`, { key: keys.admin });
});

test('a slow receiver (10 s per answer) does not delay a fast one', async (t) => {
  // unref: the test process need not wait for the last slow answer before it exits.
  const slow = await startReceiver(() => new Promise((r) => setTimeout(() => r({ status: 200 }), 10000).unref()));
  const fast = await startReceiver();
  const slowSub = await subscribe(slow);
  const fastSub = await subscribe(fast);
  const started = Date.now();
  const id = await chatReport(server, 'pothole at 300 W Main St, deep');
  for (const status of ['acknowledged', 'in_progress']) {
    assert.equal((await setStatus(server, id, status)).status, 200);
  }
  await waitFor('the fast receiver', () => fast.received.length >= 3, 5000);
  const fastDone = Date.now() - started;
  assert.ok(fastDone < 5000, `fast receiver waited ${fastDone} ms`);
  t.diagnostic(`the fast receiver had all 3 events ${fastDone} ms after the report began; the slow one had answered none`);
  assert.ok(slow.received.length >= 1, 'the slow receiver was called too');
  assert.equal(sql(server, `SELECT count(*) FROM webhook_deliveries WHERE subscription_id = ${slowSub.id} AND status = 'delivered'`), '0');
  // The fast receiver saw this request's events in the order they happened.
  const types = fast.received.map((r) => JSON.parse(r.body)).map((b) => `${b.type}:${b.data.status}`);
  assert.deepEqual(types, ['request.created:new', 'request.status_changed:acknowledged', 'request.status_changed:in_progress']);
  await api('PATCH', `/api/v1/webhooks/${slowSub.id}`, { key: keys.admin, body: { enabled: false } });
  await api('DELETE', `/api/v1/webhooks/${fastSub.id}`, { key: keys.admin });
});

test('kill -9 in the middle of a burst of status changes: every committed event is delivered', async (t) => {
  const temp = makeTempDir();
  let crashed = await startServer({ overrides: webhookSettings, dir: temp.dir });
  let restarted;
  // 200 ms per answer, three requests at a time: deliveries fall behind the burst, so the kill
  // always leaves committed events undelivered (and some in flight).
  const receiver = await startReceiver(() => new Promise((r) => setTimeout(() => r({ status: 200 }), 200)));
  try {
    crashed.keys = await createKeys(crashed);
    const added = JSON.parse(await cli(crashed, ['webhooks', 'add', '--url', receiver.url(), '--events', 'request.status_changed']));
    const ids = [];
    for (const text of ['pothole at 1 Main St, deep', 'pothole at 2 Main St, deep', 'pothole at 3 Main St, deep']) {
      ids.push(await chatReport(crashed, text));
    }
    // Each request cycles resolved <-> reopened; the three run side by side.
    let stop = false;
    const burst = ids.map(async (id) => {
      let ok = 0;
      for (let i = 0; !stop && i < 200; i++) {
        try {
          await setStatus(crashed, id, i % 2 === 0 ? 'resolved' : 'reopened');
          ok++;
        } catch { return ok; }  // the server is gone
      }
      return ok;
    });
    await waitFor('deliveries under way', () => receiver.received.length >= 6);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    stop = true;
    const acknowledged = (await Promise.all(burst)).reduce((a, b) => a + b, 0);
    const deliveredBeforeKill = receiver.ids().size;
    const committed = Number(sql(crashed, `SELECT count(*) FROM outbox_events WHERE type = 'request.status_changed'`));
    assert.ok(committed >= acknowledged, `${committed} committed, ${acknowledged} acknowledged`);
    assert.ok(committed > receiver.ids().size, 'the kill came before everything was delivered');

    restarted = await startServer({ overrides: webhookSettings, dir: temp.dir });
    const expected = sql(restarted, `SELECT event_id FROM outbox_events WHERE type = 'request.status_changed'`).split('\n');
    assert.equal(expected.length, committed);
    await waitFor(`all ${committed} events`, () => expected.every((e) => receiver.ids().has(e)), 30000);
    assert.equal(receiver.ids().size, committed);  // nothing invented either
    assertAllVerify(receiver, added.secret);
    t.diagnostic(`${acknowledged} status changes acknowledged, ${committed} committed, ` +
      `${deliveredBeforeKill} delivered before the kill, all ${committed} after the restart ` +
      `(${receiver.received.length} requests: at least once)`);
  } finally {
    if (crashed.child.exitCode === null && crashed.child.signalCode === null) crashed.child.kill('SIGKILL');
    await restarted?.stop();
    temp.cleanup();
  }
});

test('retries honour Retry-After; exhausted deliveries fail and can be redelivered; long failure disables', async (t) => {
  // A second server whose schedule is two attempts one second apart.
  const short = await startServer({ overrides: { webhooks: { ...webhookSettings.webhooks, retry_schedule_seconds: [0, 1] } } });
  try {
    short.keys = await createKeys(short);
    const call = (method, route, body) => fetch(`${short.url}${route}`, {
      method, headers: { Authorization: `Bearer ${short.keys.admin}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));

    // Retry-After: 3 is longer than the schedule's 1 s, so the second attempt waits for it.
    let answers = [{ status: 503, headers: { 'Retry-After': '3' } }, { status: 200 }];
    const polite = await startReceiver(() => answers.shift() ?? { status: 200 });
    const politeSub = (await call('POST', '/api/v1/webhooks', { url: polite.url(), events: ['request.created'] })).body;
    await chatReport(short, 'pothole at 9 E Main St, deep');
    await waitFor('the retried delivery', () => polite.received.length >= 2, 10000);
    const gap = polite.received[1].at - polite.received[0].at;
    t.diagnostic(`second attempt ${gap} ms after a 503 with Retry-After: 3`);
    assert.ok(gap >= 2900, `second attempt after ${gap} ms`);
    assert.equal(polite.received[0].headers['webhook-id'], polite.received[1].headers['webhook-id']);
    assert.equal(polite.received[0].body, polite.received[1].body);
    assert.notEqual(polite.received[0].headers['webhook-timestamp'], polite.received[1].headers['webhook-timestamp']);
    await call('DELETE', `/api/v1/webhooks/${politeSub.id}`);

    // Two 500s use up the schedule: failed. Once the partner is fixed, redeliver since a time.
    let broken = true;
    const flaky = await startReceiver(() => (broken ? { status: 500, body: 'x'.repeat(5000) } : { status: 200 }));
    const flakySub = (await call('POST', '/api/v1/webhooks', { url: flaky.url(), events: ['request.created'] })).body;
    const since = new Date().toISOString();
    await chatReport(short, 'pothole at 11 E Main St, deep');
    const failed = await waitFor('the failed delivery', async () => {
      const res = await call('GET', `/api/v1/webhooks/${flakySub.id}/deliveries?status=failed`);
      return res.body.items.length === 1 ? res.body.items[0] : null;
    }, 10000);
    assert.equal(failed.attempts, 2);
    assert.equal(failed.attempt_log.length, 2);
    assert.equal(failed.attempt_log[0].status_code, 500);
    assert.equal(failed.attempt_log[0].response.length, 1024);  // the first 1 KiB is kept
    assert.match(failed.last_error, /500.*no attempts left/);
    broken = false;
    const redo = await call('POST', `/api/v1/webhooks/${flakySub.id}/redeliver`, { failed_since: since });
    assert.equal(redo.status, 202);
    assert.equal(redo.body.redelivering, 1);
    await waitFor('the redelivered event', () => flaky.received.length === 3);
    // The receiver has it before the server has recorded the answer: wait for that commit.
    await waitFor('the redelivery recorded', async () =>
      (await call('GET', `/api/v1/webhooks/${flakySub.id}/deliveries`)).body.items[0].status === 'delivered');

    // An endpoint that has failed for longer than webhooks.disable_after_days is turned off.
    broken = true;
    sql(short, `UPDATE webhook_subscriptions SET failing_since = '2020-01-01T00:00:00.000Z' WHERE id = ${flakySub.id}`);
    await chatReport(short, 'pothole at 13 E Main St, deep');
    const off = await waitFor('the endpoint disabled', async () => {
      const res = await call('GET', `/api/v1/webhooks/${flakySub.id}`);
      return res.body.enabled === false ? res.body : null;
    }, 10000);
    assert.match(off.disabled_reason, /every attempt failed since 2020-01-01.*disable_after_days/);
    // Turning it back on clears the failure run.
    const on = await call('PATCH', `/api/v1/webhooks/${flakySub.id}`, { enabled: true });
    assert.equal(on.status, 200);
    assert.equal(on.body.enabled, true);
    assert.equal(on.body.failing_since, null);
  } finally {
    await short.close();
  }
});
