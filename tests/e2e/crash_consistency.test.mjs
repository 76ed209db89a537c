// Crash consistency: signed Twilio webhooks from many residents and staff status changes
// arrive at once while civicline is killed with SIGKILL at random moments, round after round,
// and restarted on the same database. Like Twilio, the test sends again what was never
// answered, and some of what was. At the end: every MessageSid answered 200 is stored exactly
// once, every acknowledged status change once, the file passes PRAGMA integrity_check, and
// every event committed to the outbox reaches the partner's endpoint and every queued
// notification the SMS provider.
//
// Every fourth restart is itself killed a few milliseconds in (opening the file, WAL recovery,
// migrations), before the real one.
//
// CRASH_ROUNDS (default 20) and CRASH_SEED (default random, printed) reproduce a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { binary, makeTempDir, runCli, startServer, waitFor } from './harness.mjs';
import { startFakeProvider } from './fake_sms_provider.mjs';
import { startPartnerReceiver } from './partner_receiver.mjs';
import { postTwilio, smsSettings, sql, twilioAccount } from './residents.mjs';

const publicBase = 'https://311.example.test';
const rounds = Number(process.env.CRASH_ROUNDS ?? 20);
const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const smsWorkers = 6;        // concurrent texters
const staffWorkers = 2;      // concurrent staff clients, each on its own requests
const reporters = 6;         // residents who file a request by SMS (and hear of its changes)
const residents = 40;        // phone numbers texting during the load
const resentPerRound = 8;    // acknowledged MessageSids sent again after each restart

/** mulberry32: a small seeded generator, so a failing run can be replayed with CRASH_SEED. */
function randomFrom(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = randomFrom(seed);
const pick = (list) => list[Math.floor(random() * list.length)];

const phone = (i) => `+1555200${String(i).padStart(4, '0')}`;
let sidCounter = 0;
const newSid = () => `SM${seed.toString(16).padStart(8, '0')}${String(++sidCounter).padStart(24, '0')}`;

function settings(fake) {
  return {
    ...smsSettings(publicBase, fake.url, { max_messages_per_minute: 0, max_attempts: 50 }),
    webhooks: {
      allow_private_hosts: ['127.0.0.1'],
      retry_schedule_seconds: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      retry_jitter_percent: 0,
      poll_interval_ms: 50,
    },
  };
}

/** Posts one signed inbound SMS; true when the server answered 200 (acknowledged). */
async function sendSms(server, message) {
  try {
    const res = await postTwilio(server, publicBase, '/sms/twilio', message.params);
    if (res.status !== 200) throw new Error(`${message.params.MessageSid}: ${res.status} ${res.body}`);
    return true;
  } catch (e) {
    if (e.message.startsWith('SM')) throw e;  // an answer, but the wrong one
    return false;                              // no answer: the server is gone
  }
}

function smsParams(from, body) {
  return { MessageSid: newSid(), AccountSid: twilioAccount.accountSid, From: from,
    To: twilioAccount.cityNumber, Body: body, NumMedia: '0' };
}

/** A resident files a pothole report over several texts; resolves to its tracking id. */
async function reportBySms(server, from, street) {
  const say = async (body) => {
    const res = await postTwilio(server, publicBase, '/sms/twilio', smsParams(from, body));
    assert.equal(res.status, 200, res.body);
    return [...res.body.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) => m[1]).join(' ');
  };
  let reply = await say('I need to report a pothole');
  reply = await say(street);
  for (let i = 0; i < 3 && !reply.includes('YES'); i++) reply = await say('big and deep, right in the lane');
  assert.match(reply, /YES/);
  const created = await say('yes');
  const id = created.match(/311-\d{6}/);
  assert.ok(id, created);
  return id[0];
}

async function patchStatus(server, key, id, status, note) {
  try {
    const res = await fetch(`${server.url}/api/v1/requests/${id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ status, internal_note: note }),
    });
    await res.text();
    return res.status;
  } catch {
    return 0;  // the server is gone
  }
}

test(`kill -9 at random moments under load, ${rounds} rounds: nothing acknowledged is lost or doubled`, async (t) => {
  const started = Date.now();
  const fake = await startFakeProvider();
  const partner = await startPartnerReceiver();
  const temp = makeTempDir();
  let server;
  try {
    server = await startServer({ overrides: settings(fake), dir: temp.dir });
    const key = (await runCli(['create-api-key', '--role', 'admin', '--name', 'crash-staff', '--config', server.configFile]))
      .stdout.trim().split('\n').at(-1);
    const added = await runCli(['webhooks', 'add', '--url', partner.url(), '--events', '*', '--config', server.configFile]);
    assert.equal(added.code, 0, added.stderr);

    const streets = ['55 N Center St', '210 E 4th Ave', '1400 W Market St', '77 S Oak Blvd', '902 Elm Rd', '3100 River Dr'];
    const requestIds = await Promise.all(
      streets.slice(0, reporters).map((street, i) => reportBySms(server, phone(i), street)));

    const messages = [];  // every inbound SMS ever sent: {params, acknowledged}
    const patches = [];   // every status change sent: {id, status, note, outcome}
    let kills = 0;
    let startupKills = 0;
    let committedUnanswered = 0;  // SMS stored although the kill came before the answer

    for (let round = 0; round <= rounds; round++) {
      const last = round === rounds;  // the last round kills nothing and retries everything
      // Like Twilio: what got no answer is sent again, and so is some of what did.
      const queue = messages.filter((m) => !m.acknowledged);
      const answered = messages.filter((m) => m.acknowledged);
      for (let i = 0; i < resentPerRound && answered.length > 0; i++) queue.push(pick(answered));
      let stopping = false;

      const texter = async () => {
        while (!stopping) {
          let message = queue.shift();
          if (!message) {
            if (last) return;
            message = { params: smsParams(phone(Math.floor(random() * residents)), pick(
              ['hello', 'is anyone there?', `status ${pick(requestIds)}`, 'thanks', 'the streetlight on 5th is out'])),
            acknowledged: false, resent: false };
            messages.push(message);
          } else {
            message.resent = true;
          }
          if (await sendSms(server, message)) message.acknowledged = true;
          else if (!stopping && !last) await new Promise((r) => setTimeout(r, 20));
        }
      };
      const staff = async (worker) => {
        const mine = requestIds.filter((_, i) => i % staffWorkers === worker);
        for (let n = 0; !stopping && !(last && n >= 4); n++) {
          const id = mine[n % mine.length];
          const res = await fetch(`${server.url}/api/v1/requests/${id}`, { headers: { Authorization: `Bearer ${key}` } })
            .then((r) => r.json()).catch(() => null);
          if (!res) { await new Promise((r) => setTimeout(r, 20)); continue; }
          const status = res.status === 'resolved' ? 'reopened' : 'resolved';
          const patch = { id, status, note: `crash round ${round} worker ${worker} change ${n}`, outcome: 0 };
          patches.push(patch);
          patch.outcome = await patchStatus(server, key, id, status, patch.note);
          assert.ok([0, 200].includes(patch.outcome), `PATCH ${id} → ${status} answered ${patch.outcome}`);
        }
      };
      const load = [...Array(smsWorkers)].map(texter).concat([...Array(staffWorkers)].map((_, w) => staff(w)));

      if (last) {
        await Promise.all(load);
        break;
      }
      // A random moment 50 to 950 ms into the round: the retries of the restart, or the load in full swing.
      await new Promise((r) => setTimeout(r, 50 + Math.floor(random() * 900)));
      server.child.kill('SIGKILL');
      const exit = await server.exited;
      assert.equal(exit.signal, 'SIGKILL', `round ${round}: the server had exited by itself (${JSON.stringify(exit)}):\n${server.stderr}`);
      kills++;
      stopping = true;
      await Promise.all(load);
      if (round % 4 === 3) {
        // Killed while starting: before, during or after opening the file and recovering the WAL.
        const starting = spawn(binary, ['serve', '--config', server.configFile], { stdio: 'ignore' });
        await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
        starting.kill('SIGKILL');
        await new Promise((r) => (starting.exitCode !== null || starting.signalCode !== null ? r() : starting.once('exit', r)));
        startupKills++;
      }
      // Must start cleanly every time on the same file (startServer waits for /readyz).
      server = await startServer({ overrides: settings(fake), dir: temp.dir });
      // What the kill left unanswered but committed: the resend must not store it twice.
      const unanswered = messages.filter((m) => !m.acknowledged).map((m) => `'twilio:${m.params.MessageSid}'`);
      if (unanswered.length > 0) {
        committedUnanswered += Number(sql(server, `SELECT count(*) FROM messages WHERE direction = 'in' AND external_id IN (${unanswered.join(',')})`));
      }
    }

    // 1. Every MessageSid stored exactly once (all were eventually acknowledged).
    assert.ok(messages.every((m) => m.acknowledged), 'every message was acknowledged after the last retries');
    const stored = new Map(sql(server, "SELECT external_id, count(*) FROM messages WHERE direction = 'in' AND external_id LIKE 'twilio:%' GROUP BY external_id")
      .split('\n').map((line) => line.split('|')).map(([id, n]) => [id.slice('twilio:'.length), Number(n)]));
    for (const m of messages) {
      assert.equal(stored.get(m.params.MessageSid), 1, `${m.params.MessageSid} stored ${stored.get(m.params.MessageSid) ?? 0} times`);
    }
    // 2. Every acknowledged status change is in the history exactly once; none is doubled.
    const notes = new Map(sql(server, "SELECT internal_note, count(*) FROM request_history WHERE field = 'status' AND internal_note LIKE 'crash round %' GROUP BY internal_note")
      .split('\n').filter(Boolean).map((line) => line.split('|')).map(([note, n]) => [note, Number(n)]));
    const acknowledgedPatches = patches.filter((p) => p.outcome === 200);
    for (const p of acknowledgedPatches) assert.equal(notes.get(p.note), 1, `"${p.note}" is in the history ${notes.get(p.note) ?? 0} times`);
    for (const [note, n] of notes) assert.equal(n, 1, `"${note}" is in the history ${n} times`);
    // 3. The file is sound.
    assert.equal(sql(server, 'PRAGMA integrity_check'), 'ok');
    assert.equal(sql(server, 'PRAGMA foreign_key_check'), '');

    // 4. Every committed event reaches the partner; every queued notification the provider.
    const events = sql(server, 'SELECT event_id FROM outbox_events').split('\n').filter(Boolean);
    await waitFor(`all ${events.length} events at the partner`, () => {
      const got = partner.deliveredIds();
      return events.every((e) => got.has(e));
    }, 45000);
    assert.equal(partner.deliveredIds().size, events.length, 'the partner received no event that was not committed');
    const notifications = Number(sql(server, 'SELECT count(*) FROM notifications'));
    assert.ok(notifications >= acknowledgedPatches.length, `${notifications} notifications for ${acknowledgedPatches.length} status changes`);
    await waitFor(`all ${notifications} notifications sent`, () =>
      sql(server, "SELECT count(*) FROM notifications WHERE status <> 'sent'") === '0', 30000);
    const providerIds = new Set(fake.delivered().map((r) => r.sid));
    const recorded = sql(server, 'SELECT provider_message_id FROM notifications').split('\n');
    for (const id of recorded) assert.ok(providerIds.has(id), `notification sent as ${id}, which the provider never issued`);

    const summary = `crash consistency: seed ${seed}, ${kills} kills under load + ${startupKills} during start-up, ` +
      `${kills + 1} clean starts, ${messages.length} distinct SMS, all acknowledged in the end ` +
      `(${messages.filter((m) => m.resent).length} sent again, ${committedUnanswered} of them committed but unanswered at a kill; ` +
      `each stored once), ${patches.length} status changes sent (${acknowledgedPatches.length} acknowledged, ` +
      `${notes.size} committed), ${events.length} events committed / ${partner.deliveredIds().size} delivered ` +
      `(${partner.received.length} requests), ${notifications} notifications committed / ${notifications} sent ` +
      `(${fake.delivered().length} provider sends), integrity ok, ${((Date.now() - started) / 1000).toFixed(1)} s`;
    t.diagnostic(summary);
  } finally {
    if (server && server.child.exitCode === null && server.child.signalCode === null) await server.stop();
    await partner.stop();
    await fake.close();
    temp.cleanup();
  }
});
