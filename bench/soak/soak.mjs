// Soak: a steady rate of mixed traffic against the real binary for a bounded time, with the
// server's memory sampled from /proc. Fails when resident memory grows more than 10% between
// the end of the warm-up and the end of the run, or when any answer is an error.
//
//   node bench/soak/soak.mjs                    # SOAK_SECONDS=600, SOAK_RATE=50 requests/s
//   SOAK_SECONDS=60 node bench/soak/soak.mjs    # what CI runs (`make soak SOAK_SECONDS=60`)
//   SOAK_WRITER_CACHE_MB=32 ...                 # the shipped writer cache (RSS then grows with it)
//
// The mix (weights below): signed Twilio SMS from many residents, web-chat turns (each visitor
// keeps its cookie), staff API reads and status changes, Open311 GETs, the public dashboard.
// Status changes queue SMS notifications and partner webhooks, so the outbox dispatchers run
// too, against a fake SMS provider and a partner endpoint on 127.0.0.1. Only Node's standard
// library is used (and the e2e helpers, which need nothing else).
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, runCli, startServer } from '../../tests/e2e/harness.mjs';
import { startFakeProvider } from '../../tests/e2e/fake_sms_provider.mjs';
import { startPartnerReceiver } from '../../tests/e2e/partner_receiver.mjs';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const rate = Number(process.env.SOAK_RATE ?? 50);                // requests per second
const warmupSeconds = Number(process.env.SOAK_WARMUP_SECONDS ?? Math.min(60, Math.max(10, seconds / 6)));
const maxGrowth = Number(process.env.SOAK_MAX_RSS_GROWTH ?? 0.10);
const maxInFlight = 64;           // more than this waiting means the server cannot keep the rate
const sampleEveryMs = 5000;

const publicBase = 'https://311.example.test';
const twilio = { authToken: 'soak-auth-token-0123456789', accountSid: 'AC22222222222222222222222222222222', cityNumber: '+15550000311' };

/** Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL followed by the sorted parameters. */
function twilioSignature(url, params) {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', twilio.authToken).update(data).digest('base64');
}

function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
  return { rss: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile'), threads: kib('Threads') };
}
const mb = (kib) => `${(kib / 1024).toFixed(1)} MB`;

const started = Date.now();
const fake = await startFakeProvider();
const partner = await startPartnerReceiver();
const temp = makeTempDir('civicline-soak-');
const server = await startServer({
  dir: temp.dir,
  overrides: {
    log: { access_log: false },  // 'listening' is an info line the harness waits for
    // SQLite's page caches are bounded, but at 32 MB the writer's fills for as long as the file
    // grows (at 50 requests/s, about 1 MB a minute): RSS would rise with the cache, not with a
    // leak. Small caches fill during the warm-up, so what still grows afterwards is a leak.
    storage: { writer_cache_mb: Number(process.env.SOAK_WRITER_CACHE_MB ?? 2), reader_cache_mb: 1 },
    server: { public_base_url: publicBase },
    sms: {
      twilio: { account_sid: twilio.accountSid, auth_token: twilio.authToken, from: twilio.cityNumber, api_base_url: fake.url },
      max_messages_per_minute: 0, poll_interval_ms: 100, retry_initial_seconds: 1, retry_max_seconds: 1,
    },
    webhooks: { allow_private_hosts: ['127.0.0.1'], retry_schedule_seconds: [0, 1, 1, 1], retry_jitter_percent: 0, poll_interval_ms: 100 },
  },
});
const pid = server.child.pid;
const key = (await runCli(['create-api-key', '--role', 'admin', '--name', 'soak', '--config', server.configFile])).stdout.trim().split('\n').at(-1);
// SOAK_WEBHOOKS=0 leaves the partner unsubscribed (to tell the dispatcher's memory from the rest).
if (process.env.SOAK_WEBHOOKS !== '0') await runCli(['webhooks', 'add', '--url', partner.url(), '--events', 'request.*', '--config', server.configFile]);

const counts = {};      // kind -> requests answered as expected
const errors = [];      // {kind, status, body}
let inFlight = 0;
let skipped = 0;

async function call(kind, route, init = {}, expect = [200]) {
  inFlight++;
  try {
    const res = await fetch(`${server.url}${route}`, init);
    const body = await res.text();
    if (!expect.includes(res.status)) errors.push({ kind, route, status: res.status, body: body.slice(0, 300) });
    else counts[kind] = (counts[kind] ?? 0) + 1;
    return { status: res.status, headers: res.headers, body };
  } catch (e) {
    errors.push({ kind, route, status: 0, body: String(e.cause ?? e) });
    return { status: 0 };
  } finally {
    inFlight--;
  }
}

const json = (body, extra = {}) => ({ ...extra, headers: { 'Content-Type': 'application/json', ...(extra.headers ?? {}) }, body: JSON.stringify(body) });
const staff = (extra = {}) => ({ ...extra, headers: { Authorization: `Bearer ${key}`, ...(extra.headers ?? {}) } });

// Web-chat visitors keep their session cookie, like browsers.
const visitors = Array.from({ length: 100 }, () => ({ cookie: undefined }));
async function chat(visitor, text) {
  const res = await call('chat', '/chat/api/messages', json({ text }, { method: 'POST', headers: visitor.cookie ? { Cookie: visitor.cookie } : {} }));
  const set = res.headers?.get('set-cookie');
  if (set) visitor.cookie = set.split(';')[0];
  return res;
}

// Requests for staff to work on, filed through the chat before the clock starts.
const requests = [];
for (let i = 0; requests.length < 12 && i < 30; i++) {
  const visitor = { cookie: undefined };
  let reply = JSON.parse((await chat(visitor, `pothole at ${100 + i * 40} W Main St, deep`)).body);
  for (const answer of ['no', 'large']) {
    if (reply.replies.map((r) => r.text).join(' ').includes('YES')) break;
    reply = JSON.parse((await chat(visitor, answer)).body);
  }
  const done = JSON.parse((await chat(visitor, 'yes')).body);
  if (done.tracking_id) requests.push({ id: done.tracking_id, status: 'new', busy: false });
}
let sid = 0;
const smsParams = (from, body) => ({ MessageSid: `SMsoak${String(++sid).padStart(28, '0')}`, AccountSid: twilio.accountSid,
  From: from, To: twilio.cityNumber, Body: body, NumMedia: '0' });
function sms(params) {
  return call('sms', '/sms/twilio', { method: 'POST', body: new URLSearchParams(params).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilioSignature(`${publicBase}/sms/twilio`, params) } });
}
// And some by SMS, so that their status changes go out through the SMS dispatcher.
for (let i = 0; i < 4; i++) {
  const from = `+1555600${String(i).padStart(4, '0')}`;
  let reply = (await sms(smsParams(from, 'I need to report a pothole'))).body;
  reply = (await sms(smsParams(from, `${200 + i * 300} N Center St`))).body;
  for (let j = 0; j < 3 && !reply.includes('YES'); j++) reply = (await sms(smsParams(from, 'big and deep, right in the lane'))).body;
  const id = (await sms(smsParams(from, 'yes'))).body.match(/311-\d{6}/);
  if (id) requests.push({ id: id[0], status: 'new', busy: false });
}
if (requests.length < 8) throw new Error(`soak: only ${requests.length} requests could be filed to work on (chat and SMS)`);

const texts = ['hi', 'there is a pothole on 5th', '55 N Center St', 'big and deep', 'yes', 'no', 'status 311-000001',
  'the streetlight at Main and 1st is out', 'gracias', 'help', 'graffiti on the wall at 12 Elm St'];
const pick = (list) => list[Math.floor(Math.random() * list.length)];

const mix = [
  [30, 'sms', () => sms(smsParams(`+1555500${String(Math.floor(Math.random() * 300)).padStart(4, '0')}`, pick(texts)))],
  [20, 'chat', () => chat(pick(visitors), pick(texts))],
  [12, 'staff_read', () => call('staff_read', pick(['/api/v1/requests?limit=50', `/api/v1/requests/${pick(requests).id}`, '/api/v1/requests?status=new']), staff())],
  [6, 'staff_change', async () => {
    const request = requests.find((r) => !r.busy && Math.random() < 0.3) ?? requests.find((r) => !r.busy);
    if (!request) return call('staff_read', '/api/v1/requests?limit=10', staff());
    request.busy = true;  // one change at a time per request, so each is an allowed transition
    const next = request.status === 'resolved' ? 'reopened' : 'resolved';
    const res = await call('staff_change', `/api/v1/requests/${request.id}`, staff(json({ status: next, public_note: 'Soak test update.' }, { method: 'PATCH' })));
    if (res.status === 200) request.status = next;
    request.busy = false;
    return res;
  }],
  [17, 'open311', () => call('open311', pick(['/open311/v2/services.json', '/open311/v2/requests.json', `/open311/v2/requests/${pick(requests).id}.json`, '/open311/v2/services.xml']))],
  [15, 'public', () => call('public', pick(['/public/', '/public/api/summary.json', '/data/requests.csv', `/r/${pick(requests).id}`]))],
];
// SOAK_ONLY=sms,chat keeps only those kinds (to find which one a growth comes from).
const only = process.env.SOAK_ONLY?.split(',');
const kinds = mix.filter(([, name]) => !only || only.includes(name)).map(([w, , run]) => [w, run]);
const totalWeight = kinds.reduce((a, [w]) => a + w, 0);
function oneRequest() {
  let r = Math.random() * totalWeight;
  for (const [w, run] of kinds) {
    if ((r -= w) < 0) return run();
  }
  return kinds[0][1]();
}

// Open loop at a steady rate: the schedule does not wait for answers (a slow server does not
// slow the load down); past maxInFlight a request is skipped and counted.
const pending = new Set();
const samples = [];
let before;
const loadStarted = Date.now();
const tickMs = 20;
let owed = 0;
await new Promise((resolve) => {
  let lastSample = 0;
  const timer = setInterval(() => {
    const elapsed = (Date.now() - loadStarted) / 1000;
    if (elapsed >= seconds) {
      clearInterval(timer);
      resolve();
      return;
    }
    owed += rate * tickMs / 1000;
    for (; owed >= 1; owed--) {
      if (inFlight >= maxInFlight) { skipped++; continue; }
      const p = oneRequest().finally(() => pending.delete(p));
      pending.add(p);
    }
    if (Date.now() - lastSample >= sampleEveryMs) {
      lastSample = Date.now();
      const m = memoryOf(pid);
      samples.push({ at: elapsed, ...m });
      if (!before && elapsed >= warmupSeconds) before = m;
    }
  }, tickMs);
});
await Promise.all(pending);
const after = memoryOf(pid);
samples.push({ at: (Date.now() - loadStarted) / 1000, ...after });
const metrics = await (await fetch(`${server.url}/metrics`)).text();
const stopped = await server.stop();
const databaseBytes = statSync(path.join(temp.dir, 'civicline.db')).size;
await partner.stop();
await fake.close();
temp.cleanup();

const total = Object.values(counts).reduce((a, b) => a + b, 0) + errors.length;
const growth = (after.rss - before.rss) / before.rss;
const peak = Math.max(...samples.map((s) => s.rss));
const jobs = metrics.match(/^civicline_storage_jobs_total\{outcome="committed"\} (\d+)/m)?.[1];
console.log(`soak: ${seconds} s at ${rate} requests/s (${warmupSeconds} s warm-up): ${total} requests ` +
  `(${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}), ${errors.length} errors, ${skipped} skipped ` +
  `(over ${maxInFlight} in flight); RSS ${mb(before.rss)} after warm-up -> ${mb(after.rss)} at the end ` +
  `(${(growth * 100).toFixed(1)}%, peak ${mb(peak)}; anonymous ${mb(before.anon)} -> ${mb(after.anon)}, ` +
  `file ${mb(before.file)} -> ${mb(after.file)}); ${jobs} write jobs committed, database ${mb(databaseBytes / 1024)}; ` +
  `${fake.delivered().length} SMS and ${partner.deliveredIds().size} webhooks delivered; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
console.log(`soak: RSS samples (s: MB): ${samples.map((x) => `${x.at.toFixed(0)}: ${(x.rss / 1024).toFixed(1)}`).join(', ')}`);
let failed = false;
if (errors.length > 0) {
  console.error(`soak: FAILED: ${errors.length} error responses; the first: ${JSON.stringify(errors.slice(0, 5), null, 1)}`);
  failed = true;
}
if (skipped > 0) {
  console.error(`soak: FAILED: ${skipped} requests skipped: the server fell behind ${rate} requests/s`);
  failed = true;
}
if (growth > maxGrowth) {
  console.error(`soak: FAILED: RSS grew ${(growth * 100).toFixed(1)}% (limit ${maxGrowth * 100}%)`);
  failed = true;
}
if (stopped.code !== 0) {
  console.error(`soak: FAILED: the server exited with ${JSON.stringify(stopped)} on SIGTERM:\n${server.stderr.slice(-2000)}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
