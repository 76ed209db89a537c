// The public status page /r/{tracking_id} end to end: residents report over web chat and SMS
// with their names, phone numbers and e-mail addresses in the text; staff move the request on
// with public notes (one carelessly naming contact details) and merge a duplicate. The page and
// its JSON show status, category, dates, the last public note and the timeline in English and
// Spanish, never anything personal; unknown and malformed ids get a friendly 404; replies to
// residents carry the link when server.public_base_url is configured.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startServer } from './harness.mjs';
import { chatVisitor, smsResident, smsSettings } from './residents.mjs';

const publicBase = 'https://311.example.test';
let server;
const ids = {};

const pii = ['Maria Gonzalez', 'maria.gonzalez@example.com', '555-867-5309', '8675309',
  '+15550123456', '5550123456', 'ops.lead@example.net', '480-555-0142', 'deep enough to lose a wheel'];

async function cli(args) {
  const out = await runCli([...args, '--config', server.configFile]);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout;
}

async function get(route, headers = {}) {
  const res = await fetch(`${server.url}${route}`, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function assertNoPii(what, text) {
  for (const secret of pii) assert.ok(!text.includes(secret), `${what} contains "${secret}"`);
}

before(async () => {
  server = await startServer({ overrides: smsSettings(publicBase) });
  const visitor = chatVisitor(() => server);
  let reply = await visitor.say('pothole at 1234 Main St, deep enough to lose a wheel. I am Maria Gonzalez, ' +
    'maria.gonzalez@example.com, 555-867-5309');
  for (const answer of ['no', 'large']) if (!/YES/.test(reply.texts.join(' '))) reply = await visitor.say(answer);
  assert.match(reply.texts.join(' '), /YES/, JSON.stringify(reply));
  const done = await visitor.say('yes');
  ids.chat = done.tracking_id;
  ids.chatReply = done.texts.join(' ');
  assert.match(ids.chat, /^311-\d{6}$/);

  const resident = smsResident(() => server, publicBase, '+15550123456');
  let sms = (await resident.say('graffiti on the wall at 300 E Main St')).join(' ');
  for (const answer of ['no', 'large', 'small']) if (!/YES/.test(sms)) sms = (await resident.say(answer)).join(' ');
  assert.match(sms, /YES/, sms);
  ids.smsReply = (await resident.say('yes')).join(' ');
  ids.sms = ids.smsReply.match(/311-\d{6}/)?.[0];
  assert.ok(ids.sms, ids.smsReply);

  await cli(['request', 'set-status', ids.chat, 'in_progress', '--public-note', 'Crew scheduled for Tuesday.',
    '--internal-note', 'truck 7 secret']);
  await cli(['request', 'set-status', ids.sms, 'duplicate', '--duplicate-of', ids.chat]);
  await cli(['request', 'set-status', ids.chat, 'resolved', '--public-note',
    'Filled. Questions: ops.lead@example.net or 480-555-0142']);
});

after(async () => {
  await server?.close();
});

test('replies that carry a tracking id link to its status page when the public URL is set', () => {
  assert.ok(ids.chatReply.includes(`${publicBase}/r/${ids.chat}`), ids.chatReply);
  assert.ok(ids.smsReply.includes(`${publicBase}/r/${ids.sms}`), ids.smsReply);
});

test('the page shows status, category, dates, the last public note and the timeline, and nothing personal', async () => {
  const res = await get(`/r/${ids.chat}`, { 'Accept-Language': 'en-US,en;q=0.9' });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const html = res.text;
  assert.match(html, /<html lang="en">/);
  assert.match(html, new RegExp(`<h1>Report ${ids.chat}</h1>`));
  assert.match(html, /Status:<\/span> <strong>resolved<\/strong>/);
  assert.match(html, /Pothole/);
  assert.match(html, /1200 block of Main St/);
  assert.ok(!html.includes('1234 Main'), 'the house number is generalised to the block');
  // The newest public note, with the contact details masked as in the open-data export.
  assert.match(html, /Filled\. Questions: \[email\] or \[phone\]/);
  // The timeline: received, in progress (with its note), resolved.
  const timeline = html.slice(html.indexOf('<ol class="timeline">'));
  const order = ['received', 'in progress', 'Crew scheduled for Tuesday.', 'resolved'].map((t) => timeline.indexOf(t));
  assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1])), `timeline order ${order}`);
  assert.match(html, /<time datetime="\d{4}-\d\d-\d\dT/);
  assert.ok(!html.includes('truck 7'), 'internal notes never show');
  assertNoPii('the status page', html);
  assert.ok(!/<script/i.test(html) && !/style=/i.test(html), 'no inline script or style (CSP)');
  assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
});

test('the page speaks Spanish by ?lang= or Accept-Language', async () => {
  const byHeader = await get(`/r/${ids.chat}`, { 'Accept-Language': 'es-MX,es;q=0.9,en;q=0.5' });
  assert.match(byHeader.text, /<html lang="es">/);
  assert.match(byHeader.text, /Estado:<\/span> <strong>resuelto<\/strong>/);
  assert.match(byHeader.text, /Bache/);
  const byParam = await get(`/r/${ids.chat}?lang=es`, { 'Accept-Language': 'en' });
  assert.match(byParam.text, /<html lang="es">/);
  const back = await get(`/r/${ids.chat}?lang=en`, { 'Accept-Language': 'es' });
  assert.match(back.text, /<html lang="en">/);
  assert.match(byHeader.headers.get('vary'), /Accept-Language/);
});

test('a duplicate shows the link to the original', async () => {
  const res = await get(`/r/${ids.sms}`);
  assert.equal(res.status, 200);
  assert.match(res.text, new RegExp(`<a href="/r/${ids.chat}">${ids.chat}</a>`));
  assert.match(res.text, new RegExp(`merged into ${ids.chat}`));
  assertNoPii('the duplicate page', res.text);
  const json = JSON.parse((await get(`/r/${ids.sms}.json`)).text);
  assert.equal(json.status, 'duplicate');
  assert.deepEqual(json.duplicate_of, { tracking_id: ids.chat, url: `${publicBase}/r/${ids.chat}` });
});

test('the JSON has the same data', async () => {
  const res = await get(`/r/${ids.chat}.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assertNoPii('the status JSON', res.text);
  const body = JSON.parse(res.text);
  assert.equal(body.tracking_id, ids.chat);
  assert.equal(body.url, `${publicBase}/r/${ids.chat}`);
  assert.equal(body.status, 'resolved');
  assert.equal(body.status_text, 'resolved');
  assert.equal(body.category, 'pothole');
  assert.equal(body.address, '1200 block of Main St');
  assert.equal(body.last_public_note, 'Filled. Questions: [email] or [phone]');
  assert.match(body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.match(body.closed_at, /^\d{4}-/);
  assert.deepEqual(body.timeline.map((s) => s.status), ['new', 'in_progress', 'resolved']);
  assert.equal(body.timeline[1].note, 'Crew scheduled for Tuesday.');
  assert.equal(body.duplicate_of, null);
  assert.deepEqual(body.photos, []);
  // Lower case works as typed; Spanish words by ?lang=.
  const es = JSON.parse((await get(`/r/${ids.chat.toLowerCase()}.json?lang=es`)).text);
  assert.equal(es.status_text, 'resuelto');
});

test('unknown and malformed ids get a friendly 404', async () => {
  for (const id of ['311-999999', 'nothing', '..%2F..%2Fetc%2Fpasswd', '%3Cscript%3E', 'x'.repeat(200)]) {
    const res = await get(`/r/${id}`);
    assert.equal(res.status, 404, id);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(res.text, /We can't find that report/);
    assert.ok(!res.text.includes('<script'), id);
  }
  const es = await get('/r/311-999999', { 'Accept-Language': 'es' });
  assert.match(es.text, /No encontramos ese reporte/);
  const json = await get('/r/311-999999.json');
  assert.equal(json.status, 404);
  assert.equal(JSON.parse(json.text).error.code, 'not_found');
});
