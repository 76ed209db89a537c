// Resource faults against the real binary: the disk fills up (a file size limit on the server
// process, as `ulimit -f` would set), the database file and its directory turn read-only
// (chattr +i, when the test runs as root), and the SMS provider and a partner's endpoint go
// down for an "hour" (shrunk by config). Writes must answer 503 storage_unavailable while the
// fault lasts, /readyz must fail, nothing acknowledged may be lost and the file must stay
// sound; when the fault clears, the server recovers without a restart and delivers whatever
// was queued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTempDir, runCli, startServer, waitFor, writeConfig } from './harness.mjs';
import { startFakeProvider } from './fake_sms_provider.mjs';
import { startPartnerReceiver } from './partner_receiver.mjs';
import { postTwilio, smsSettings, sql, twilioAccount } from './residents.mjs';

const publicBase = 'https://311.example.test';
let sidCounter = 0;
const params = (from, body) => ({
  MessageSid: `SMfault${String(++sidCounter).padStart(27, '0')}`, AccountSid: twilioAccount.accountSid,
  From: from, To: twilioAccount.cityNumber, Body: body, NumMedia: '0',
});

const readyz = async (server) => {
  const res = await fetch(`${server.url}/readyz`);
  return { status: res.status, body: await res.json() };
};

async function patch(server, key, id, body) {
  const res = await fetch(`${server.url}/api/v1/requests/${id}`, {
    method: 'PATCH', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

async function chatSay(server, text) {
  const res = await fetch(`${server.url}/chat/api/messages`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }),
  });
  return { status: res.status, body: await res.json() };
}

/** Files a request through the web chat; resolves to its tracking id. */
async function fileRequest(server, text) {
  let cookie;
  const say = async (t) => {
    const res = await fetch(`${server.url}/chat/api/messages`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify({ text: t }),
    });
    cookie = res.headers.get('set-cookie')?.split(';')[0] ?? cookie;
    assert.equal(res.status, 200);
    return res.json();
  };
  let reply = await say(text);
  for (const answer of ['no', 'large']) {
    if (reply.replies.map((r) => r.text).join(' ').includes('YES')) break;
    reply = await say(answer);
  }
  const done = await say('yes');
  assert.match(done.tracking_id, /^311-\d{6}$/);
  return done.tracking_id;
}

function assertStorageUnavailable(res, what) {
  assert.equal(res.status, 503, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error.code, 'storage_unavailable', what);
  assert.match(res.body.error.message, /nothing of this request was stored/, what);
}

/**
 * The common check of a storage fault: `inject()` starts it, `clear()` ends it. Before, during
 * and after: SMS (signed), a staff status change and a web-chat message; then every answer
 * that was 200 is stored exactly once, each one refused is stored once after the client sends
 * it again, the file passes integrity_check, and /readyz came back without a restart.
 */
async function checkStorageFault(t, name, inject, clear) {
  const server = await startServer({ overrides: smsSettings(publicBase, '', { max_messages_per_minute: 0 }) });
  try {
    const key = (await runCli(['create-api-key', '--role', 'admin', '--name', 'faults', '--config', server.configFile]))
      .stdout.trim().split('\n').at(-1);
    const id = await fileRequest(server, 'pothole at 1 Main St, deep');
    const acknowledged = [];
    for (let i = 0; i < 10; i++) {
      const p = params(`+1555300${String(i).padStart(4, '0')}`, `before the fault ${i}`);
      assert.equal((await postTwilio(server, publicBase, '/sms/twilio', p)).status, 200);
      acknowledged.push(p);
    }
    assert.equal((await readyz(server)).status, 200);

    await inject(server);
    const refused = [];
    const startedAt = Date.now();
    try {
      for (let i = 0; i < 5; i++) {
        const p = params(`+1555301${String(i).padStart(4, '0')}`, `during the fault ${i}`);
        const res = await postTwilio(server, publicBase, '/sms/twilio', p);
        const body = JSON.parse(res.body);
        assertStorageUnavailable({ status: res.status, body }, `SMS during ${name}`);
        refused.push(p);
      }
      const changed = await patch(server, key, id, { status: 'acknowledged', internal_note: 'during the fault' });
      assertStorageUnavailable(changed, `status change during ${name}`);
      assert.ok(Number(changed.retryAfter) > 0, 'Retry-After tells the client when to try again');
      assertStorageUnavailable(await chatSay(server, 'pothole at 9 Elm St'), `web chat during ${name}`);
      // Every route that writes answers the same, not only the resident channels: an API key
      // made by an admin.
      const made = await fetch(`${server.url}/api/v1/api-keys`, {
        method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'during-the-fault', role: 'partner' }),
      });
      assertStorageUnavailable({ status: made.status, body: await made.json() }, `API key during ${name}`);
      const ready = await readyz(server);
      assert.equal(ready.status, 503, 'readyz fails while the fault lasts');
      assert.equal(ready.body.error.code, 'storage_unavailable');
      // Reads still work: staff can look, the public can see.
      assert.equal((await fetch(`${server.url}/api/v1/requests/${id}`, { headers: { Authorization: `Bearer ${key}` } })).status, 200);
      assert.equal((await fetch(`${server.url}/open311/v2/requests.json`)).status, 200);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the process itself is alive');
      const logged = server.events().filter((e) => e.event === 'storage_unavailable');
      assert.ok(logged.length >= 5, 'each refused write is logged');
      assert.match(logged[0].error, /cannot be written/);
    } finally {
      await clear(server);
    }
    const faultMs = Date.now() - startedAt;

    // Recovery without a restart: readyz's probe write succeeds, then the clients' retries.
    await waitFor('readyz to recover', async () => (await readyz(server)).status === 200, 10000);
    for (const p of refused) {
      assert.equal((await postTwilio(server, publicBase, '/sms/twilio', p)).status, 200, 'the same SMS, sent again');
    }
    for (const p of acknowledged.slice(0, 3)) {
      assert.equal((await postTwilio(server, publicBase, '/sms/twilio', p)).status, 200, 'an acknowledged SMS, sent again');
    }
    assert.equal((await patch(server, key, id, { status: 'acknowledged', internal_note: 'after the fault' })).status, 200);
    assert.equal(server.child.exitCode, null, 'the server never stopped');

    const stored = new Map(sql(server, "SELECT external_id, count(*) FROM messages WHERE direction = 'in' AND external_id LIKE 'twilio:SMfault%' GROUP BY external_id")
      .split('\n').map((l) => l.split('|')).map(([sid, n]) => [sid.slice(7), Number(n)]));
    for (const p of [...acknowledged, ...refused]) assert.equal(stored.get(p.MessageSid), 1, `${p.MessageSid} stored once`);
    assert.equal(stored.size, acknowledged.length + refused.length);
    assert.equal(sql(server, "SELECT count(*) FROM request_history WHERE internal_note = 'during the fault'"), '0');
    assert.equal(sql(server, "SELECT count(*) FROM request_history WHERE internal_note = 'after the fault'"), '1');
    assert.equal(sql(server, "SELECT count(*) FROM api_keys WHERE name = 'during-the-fault'"), '0', 'the refused key was not stored');
    assert.equal(sql(server, 'PRAGMA integrity_check'), 'ok');
    const summary = `${name}: ${acknowledged.length} SMS acknowledged before, ${refused.length} SMS + 1 status change + 1 chat ` +
      `message + 1 API key refused with 503 storage_unavailable during ${faultMs} ms, readyz 503 then 200 without a restart, ` +
      `all ${acknowledged.length + refused.length} SMS stored once, integrity ok`;
    t.diagnostic(summary);
  } finally {
    await server.close();
  }
}

const prlimit = (pid, soft) => execFileSync('prlimit', ['--pid', String(pid), `--fsize=${soft}:unlimited`]);

test('disk full (a file size limit on the server): 503 storage_unavailable, readyz fails, recovers without a restart', async (t) => {
  await checkStorageFault(t, 'disk full',
    // One byte: every write of the database, its WAL and its journal fails (EFBIG → SQLITE_FULL);
    // SIGXFSZ is ignored by the server, so the process lives on.
    (server) => prlimit(server.child.pid, 1),
    (server) => prlimit(server.child.pid, 'unlimited'));
});

/** True when this process may set the immutable flag (root with CAP_LINUX_IMMUTABLE, ext4/xfs/tmpfs...). */
function canMakeImmutable() {
  const dir = mkdtempSync(path.join(tmpdir(), 'civicline-chattr-'));
  try {
    writeFileSync(path.join(dir, 'probe'), 'x');
    execFileSync('chattr', ['+i', path.join(dir, 'probe')], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', path.join(dir, 'probe')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('read-only database file and directory (chattr +i): 503 storage_unavailable, readyz fails, recovers', { skip: !canMakeImmutable() && 'chattr +i is not permitted here (needs root on a file system with the immutable flag)' }, async (t) => {
  // Immutable refuses every write, even through the descriptors the server already holds (EPERM),
  // and even to root: the closest a test gets to a volume remounted read-only under the server.
  const files = (server) => [server.dir, path.join(server.dir, 'civicline.db'), path.join(server.dir, 'civicline.db-wal')];
  await checkStorageFault(t, 'read-only database',
    (server) => execFileSync('chattr', ['+i', ...files(server)]),
    (server) => execFileSync('chattr', ['-i', ...files(server)]));
});

test('a database file read-only at start: serve refuses to start, naming the file and the fix', { skip: !canMakeImmutable() && 'chattr +i is not permitted here' }, async () => {
  const temp = makeTempDir();
  try {
    const config = writeConfig(temp.dir);
    assert.equal((await runCli(['migrate', '--config', config])).code, 0);
    const file = path.join(temp.dir, 'civicline.db');
    execFileSync('chattr', ['+i', file]);
    let out;
    try {
      out = await runCli(['serve', '--config', config], { timeoutMs: 10000 });
    } finally {
      execFileSync('chattr', ['-i', file]);
    }
    assert.equal(out.code, 74, out.stderr);
    assert.ok(out.stderr.includes(file), out.stderr);
    assert.match(out.stderr, /read-only.*make it writable/);
    const server = await startServer({ dir: temp.dir });  // writable again: starts
    await server.stop();
  } finally {
    temp.cleanup();
  }
});

test('the SMS provider and a partner endpoint down for an "hour": notifications and events queue, then all arrive', async (t) => {
  // The shipped schedules retry for longer than an hour (SMS: 30 s doubling to 1 h, 12 attempts;
  // webhooks: 0, 5 s, 5 min, 30 min, 2 h, ...). Shrunk 600 times: an hour is 6 s.
  const outageMs = 6000;
  const fake = await startFakeProvider();
  const partner = await startPartnerReceiver();
  const overrides = {
    ...smsSettings(publicBase, fake.url, { max_messages_per_minute: 0, retry_initial_seconds: 1, retry_max_seconds: 2, max_attempts: 12 }),
    webhooks: { allow_private_hosts: ['127.0.0.1'], retry_schedule_seconds: [0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2], retry_jitter_percent: 0, poll_interval_ms: 50 },
  };
  const server = await startServer({ overrides });
  try {
    const key = (await runCli(['create-api-key', '--role', 'admin', '--name', 'outage', '--config', server.configFile]))
      .stdout.trim().split('\n').at(-1);
    assert.equal((await runCli(['webhooks', 'add', '--url', partner.url(), '--events', 'request.status_changed', '--config', server.configFile])).code, 0);
    // Three residents text in a report each; each will hear of its status changes by SMS.
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const from = `+1555400${String(i).padStart(4, '0')}`;
      const say = async (body) => {
        const res = await postTwilio(server, publicBase, '/sms/twilio', params(from, body));
        assert.equal(res.status, 200);
        return res.body;
      };
      await say('I need to report a pothole');
      let reply = await say(`${100 + i * 250} N Center St`);
      for (let j = 0; j < 3 && !reply.includes('YES'); j++) reply = await say('big and deep, right in the lane');
      const id = (await say('yes')).match(/311-\d{6}/);
      assert.ok(id);
      ids.push(id[0]);
    }

    fake.fail(503);
    await partner.stop();  // connection refused, not just an error status
    const outageStarted = Date.now();
    for (const id of ids) {
      assert.equal((await patch(server, key, id, { status: 'acknowledged', public_note: 'A crew is scheduled.' })).status, 200);
      assert.equal((await patch(server, key, id, { status: 'in_progress', public_note: 'The crew is on site.' })).status, 200);
    }
    await new Promise((r) => setTimeout(r, outageMs - (Date.now() - outageStarted)));
    assert.equal(fake.delivered().length, 0);
    assert.ok(fake.received.length >= 6 * 2, `the provider was retried during the outage (${fake.received.length} attempts)`);
    assert.equal(sql(server, "SELECT count(*) FROM notifications WHERE status = 'pending'"), '6', 'every notification still queued, none given up');
    assert.equal(sql(server, "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"), '6', 'every delivery still queued');
    assert.ok(Number(sql(server, 'SELECT min(attempts) FROM webhook_deliveries')) >= 3, 'each delivery was retried');
    assert.equal((await readyz(server)).status, 200, 'an outage elsewhere does not make the server unready');

    fake.recover();
    await partner.restart();
    const events = sql(server, "SELECT event_id FROM outbox_events WHERE type = 'request.status_changed'").split('\n');
    assert.equal(events.length, 6);
    await waitFor('every event at the partner', () => events.every((e) => partner.deliveredIds().has(e)), 15000);
    await waitFor('every notification sent', () => sql(server, "SELECT count(*) FROM notifications WHERE status = 'sent'") === '6', 15000);
    const recoveredMs = Date.now() - outageStarted - outageMs;
    assert.equal(new Set(fake.delivered().map((r) => `${r.params.To} ${r.params.Body}`)).size, 6);
    const refusedDeliveries = sql(server, 'SELECT count(*) FROM webhook_attempts WHERE status_code IS NULL');
    const summary = `provider and partner down ${outageMs} ms: ${fake.received.length - fake.delivered().length} SMS attempts refused (503) and ` +
      `${refusedDeliveries} partner attempts refused (connection refused), 6/6 notifications and 6/6 events delivered ` +
      `${recoveredMs} ms after recovery`;
    t.diagnostic(summary);
  } finally {
    await server.close();
    await partner.stop();
    await fake.close();
  }
});
