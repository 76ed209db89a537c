// Open311 POST requests as a normal civicline report: a second report of an open problem (same
// place by address or within duplicate_radius_m, same category, inside the category's window)
// follows the existing request as in the chat dialog — same service_request_id, a notice, a
// request.updated webhook and no second request.created, one item in the staff queue. The
// contact details a client sends are kept for staff (request detail) and appear in no Open311
// GET, public dashboard, /data export or webhook; with city.open311_sms_updates an
// international phone gets the request's status changes by SMS. Also attribute[code][] multi-values,
// address_id kept, and the spec's error body on unknown Open311 paths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, waitFor } from './harness.mjs';
import { staffClient } from './staff_client.mjs';
import { open311Client, parseXml, child, text } from './open311_client.mjs';
import { startFakeProvider } from './fake_sms_provider.mjs';
import { chatReport, smsSettings, sql } from './residents.mjs';

let server;
let receivers = [];
const staff = staffClient(() => server);
const open311 = open311Client(() => server);
const keys = {};

const contact = {
  email: 'dana.reporter@example.net', first_name: 'Dana', last_name: 'Okonkwo-Reyes',
  phone: '+1 602 555 0177', device_id: 'ios-device-5f2e', account_id: 'fms-user-9931',
};
const contact2 = {
  email: 'lee.second@example.net', first_name: 'Leland', last_name: 'Fairweather',
  phone: '480-555-0123', device_id: 'android-77aa', account_id: 'fms-user-1200',
};
const secrets = [...Object.values(contact), ...Object.values(contact2), '6025550177', '4805550123'];

/** A webhook receiver on 127.0.0.1 keeping every body it gets. */
async function startReceiver() {
  const receiver = { bodies: [] };
  receiver.server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { receiver.bodies.push(body); res.writeHead(200); res.end('ok'); });
  });
  await new Promise((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${receiver.server.address().port}/hooks`;
  receiver.events = () => receiver.bodies.map((b) => JSON.parse(b));
  receivers.push(receiver);
  return receiver;
}


function post(route, params) {
  return open311.post(route, Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])));
}

async function report(params, route = 'requests.json') {
  const res = await post(route, { api_key: keys.partner, ...params });
  assert.equal(res.status, 200, res.text);
  if (route.endsWith('.xml')) {
    const item = child(parseXml(res.text), 'request');
    return { service_request_id: text(item, 'service_request_id'), service_notice: text(item, 'service_notice') };
  }
  return JSON.parse(res.text)[0];
}

const detail = async (id) => {
  const res = await staff.api('GET', `/api/v1/requests/${id}`, { auth: { key: keys.staff } });
  assert.equal(res.status, 200, res.text);
  return res.body;
};

before(async () => {
  server = await startServer({
    overrides: { webhooks: { allow_private_hosts: ['127.0.0.1'], poll_interval_ms: 50, retry_jitter_percent: 0 } },
  });
  keys.partner = await staff.createKey('partner', 'fixmystreet');
  keys.staff = await staff.createKey('staff', 'crm');
  keys.admin = await staff.createKey('admin', 'ops');
});

after(async () => {
  for (const r of receivers) await new Promise((resolve) => r.server.close(resolve));
  await server?.close();
});

test('a second report of an open problem follows it: same id, a notice, one queue item, request.updated', async () => {
  const hook = await startReceiver();
  const sub = await staff.api('POST', '/api/v1/webhooks', { auth: { key: keys.admin }, body: { url: hook.url, events: ['request.*'] } });
  assert.equal(sub.status, 201, sub.text);

  const first = await report({ service_code: 'pothole', address_string: '500 N Central Ave', lat: '33.4550', long: '-112.0740', description: 'Big hole' });
  assert.match(first.service_notice, /^Received as 311-/);
  // The same address written differently: the normalised location key matches.
  const byAddress = await report({ service_code: 'pothole', address_string: '500 North Central Avenue', description: 'Still there' }, 'requests.xml');
  assert.equal(byAddress.service_request_id, first.service_request_id);
  assert.match(byAddress.service_notice, new RegExp(`Already reported as ${first.service_request_id} \\(new\\)`));
  // About 11 m north, another address text: within duplicate_radius_m (30 m).
  const near = await report({ service_code: 'pothole', address_string: 'corner by the bus stop', lat: '33.4551', long: '-112.0740' });
  assert.equal(near.service_request_id, first.service_request_id);
  // About 220 m away, another category at the same place, and a category whose window is 0 days: new.
  const far = await report({ service_code: 'pothole', lat: '33.4570', long: '-112.0740' });
  const otherCategory = await report({ service_code: 'litter', address_string: '500 N Central Ave' });
  const other1 = await report({ service_code: 'other', address_string: '9 W Adams St' });
  const other2 = await report({ service_code: 'other', address_string: '9 W Adams St' });
  const created = [first, far, otherCategory, other1, other2].map((r) => r.service_request_id);
  assert.equal(new Set(created).size, 5, created.join(' '));

  const original = await detail(first.service_request_id);
  assert.equal(original.followers_count, 3);
  assert.deepEqual(original.history.map((h) => h.field), ['created', 'follower', 'follower']);
  const queue = await staff.api('GET', `/api/v1/requests?category=pothole&q=${encodeURIComponent('Central')}`, { auth: { key: keys.staff } });
  assert.equal(queue.status, 200, queue.text);
  assert.deepEqual(queue.body.items.map((i) => i.id), [first.service_request_id]);

  const events = await waitFor('the follow events', () => {
    const got = hook.events().filter((e) => e.data?.tracking_id === first.service_request_id);
    return got.length >= 3 ? got : null;
  });
  await new Promise((r) => setTimeout(r, 300));  // nothing more may arrive
  const mine = hook.events().filter((e) => e.data?.tracking_id === first.service_request_id);
  assert.deepEqual(mine.map((e) => [e.type, e.data.change ?? null]),
    [['request.created', null], ['request.updated', 'follower_added'], ['request.updated', 'follower_added']], JSON.stringify(events));

  // Once the original is no longer open, a report of the same place is a new request.
  const fixed = await staff.api('PATCH', `/api/v1/requests/${first.service_request_id}`, { auth: { key: keys.staff }, body: { status: 'resolved', public_note: 'Filled.' } });
  assert.equal(fixed.status, 200, fixed.text);
  const again = await report({ service_code: 'pothole', address_string: '500 N Central Ave' });
  assert.notEqual(again.service_request_id, first.service_request_id);
  assert.match(again.service_notice, /^Received as/);
});

test('contact details are kept for staff and appear in no public answer, export or webhook', async () => {
  const plain = await startReceiver();
  const withPii = await startReceiver();
  for (const [receiver, includePii] of [[plain, false], [withPii, true]]) {
    const sub = await staff.api('POST', '/api/v1/webhooks', { auth: { key: keys.admin }, body: { url: receiver.url, events: ['*'], include_pii: includePii } });
    assert.equal(sub.status, 201, sub.text);
  }
  const first = await report({ service_code: 'graffiti', address_string: '210 W Monroe St', description: 'Tag on the door', ...contact });
  const second = await report({ service_code: 'graffiti', address_string: '210 W Monroe St', description: 'Same tag', ...contact2 }, 'requests.xml');
  assert.equal(second.service_request_id, first.service_request_id);
  const id = first.service_request_id;

  const staffView = await detail(id);
  assert.deepEqual(staffView.contacts.map(({ at, ...rest }) => rest),
    [{ role: 'reporter', ...contact }, { role: 'follower', ...contact2 }]);
  assert.equal(staffView.reporter_channel, 'open311', 'no SMS unless the city opts in');
  // A partner key reads no staff detail.
  assert.equal((await staff.api('GET', `/api/v1/requests/${id}`, { auth: { key: keys.partner } })).status, 403);

  const changed = await staff.api('PATCH', `/api/v1/requests/${id}`, { auth: { key: keys.staff }, body: { status: 'in_progress', public_note: 'Crew booked.' } });
  assert.equal(changed.status, 200, changed.text);
  // Nobody can text an Open311 reporter: no notification is queued that would wait forever
  // (their client reads the change from servicerequestupdates).
  assert.equal(sql(server, "SELECT count(*) FROM notifications n JOIN residents r ON r.id = n.resident_id " +
    "WHERE r.channel = 'open311'"), '0');
  await post('servicerequestupdates.json', { api_key: keys.partner, service_request_id: id, description: 'Thanks', ...contact });

  const now = Date.now();
  const dates = `start_date=${encodeURIComponent(new Date(now - 3600_000).toISOString())}&end_date=${encodeURIComponent(new Date(now + 3600_000).toISOString())}`;
  const routes = [];
  for (const f of ['json', 'xml']) {
    routes.push(`/open311/v2/requests.${f}`, `/open311/v2/requests.${f}?extensions=true`, `/open311/v2/requests/${id}.${f}?extensions=true`,
      `/open311/v2/requests.${f}?service_request_id=${id}&extensions=true`, `/open311/v2/tokens/${id}.${f}`,
      `/open311/v2/servicerequestupdates.${f}?${dates}`, `/open311/v2/servicerequestupdates.${f}?${dates}&api_key=${keys.partner}`);
  }
  routes.push('/public/api/summary.json', '/public/api/summary.json?period=30', '/data/requests.csv', '/data/requests.json',
    '/public/', '/public/index.html');
  for (const route of routes) {
    const res = await fetch(`${server.url}${route}`);
    const body = await res.text();
    assert.equal(res.status, 200, `${route}: ${body.slice(0, 200)}`);
    if (route.startsWith('/open311/v2/requests')) assert.ok(body.includes(id), `${route} lists ${id}`);
    for (const secret of secrets) assert.ok(!body.includes(secret), `${route} leaks ${secret}`);
  }
  const exported = await (await fetch(`${server.url}/data/requests.json`)).text();
  assert.ok(exported.includes(id), 'the export lists the request');

  for (const receiver of [plain, withPii]) {
    await waitFor('the status change webhook', () => receiver.events().some((e) => e.type === 'request.status_changed' && e.data?.tracking_id === id));
    for (const body of receiver.bodies) for (const secret of secrets) assert.ok(!body.includes(secret), `webhook leaks ${secret}: ${body}`);
  }
  assert.ok(withPii.events().some((e) => e.data?.description === 'Tag on the door'), 'the PII receiver gets descriptions');
});

test('contact details are refused when longer than 200 characters', async () => {
  const res = await post('requests.json', { api_key: keys.partner, service_code: 'litter', address_string: '1 E Long St', first_name: 'x'.repeat(201) });
  assert.equal(res.status, 400, res.text);
  assert.match(JSON.parse(res.text)[0].description, /first_name may be at most 200/);
});

test('attribute[code][] carries several values of a multivaluelist; others take one', async () => {
  const created = await report({ service_code: 'code_enforcement', address_string: '44 S 3rd Ave', 'attribute[issue][]': ['junk', 'overgrown'] });
  assert.deepEqual((await detail(created.service_request_id)).attributes, { issue: 'junk,overgrown' });
  const single = await report({ service_code: 'code_enforcement', address_string: '46 S 3rd Ave', 'attribute[issue]': 'other' });
  assert.deepEqual((await detail(single.service_request_id)).attributes, { issue: 'other' });
  for (const [form, message] of [
    [{ service_code: 'code_enforcement', 'attribute[issue][]': ['junk', 'piano'] }, /attribute\[issue\] must be one of/],
    [{ service_code: 'pothole', 'attribute[size][]': ['small', 'large'] }, /attribute\[size\] takes one value/],
  ]) {
    const res = await post('requests.xml', { api_key: keys.partner, address_string: '48 S 3rd Ave', ...form });
    assert.equal(res.status, 400, res.text);
    assert.match(text(child(parseXml(res.text), 'error'), 'description'), message);
  }
});

test('address_id is kept and returned; media_url too', async () => {
  const created = await report({ service_code: 'sidewalk', address_id: 'parcel-104-22-015', lat: '33.4400', long: '-112.0500', media_url: 'https://photos.example.test/sidewalk.jpg' });
  const [json] = JSON.parse((await open311.get(`requests/${created.service_request_id}.json`)).text);
  assert.equal(json.address_id, 'parcel-104-22-015');
  assert.equal(json.media_url, 'https://photos.example.test/sidewalk.jpg');
  const xml = child(parseXml((await open311.get(`requests/${created.service_request_id}.xml`)).text), 'request');
  assert.equal(text(xml, 'address_id'), 'parcel-104-22-015');
  const onlyId = await report({ service_code: 'sidewalk', address_id: 'parcel-104-22-016' });
  const [read] = JSON.parse((await open311.get(`requests/${onlyId.service_request_id}.json`)).text);
  assert.equal(read.address_id, 'parcel-104-22-016');
  // Staff see the id as the location (the public address is masked like all location text).
  assert.equal((await detail(onlyId.service_request_id)).address, 'parcel-104-22-016');
});

test('paths and methods no Open311 route serves answer in the spec\'s error body', async () => {
  for (const [method, route, status] of [
    ['GET', 'nothing.json', 404], ['GET', 'requests.html', 404], ['GET', 'services/pothole/extra.xml', 404],
    ['POST', 'services.json', 405], ['POST', 'requests/311-000001.xml', 405], ['POST', 'discovery.xml', 405],
    ['POST', 'nowhere.xml', 404],
  ]) {
    const res = method === 'GET' ? await open311.get(route) : await post(route, { api_key: keys.partner });
    assert.equal(res.status, status, `${method} ${route}: ${res.text}`);
    if (route.endsWith('.xml')) {
      assert.equal(res.type, 'text/xml; charset=utf-8', route);
      assert.equal(text(child(parseXml(res.text), 'error'), 'code'), String(status));
    } else {
      assert.equal(res.type, 'application/json; charset=utf-8', route);
      const [error] = JSON.parse(res.text);
      assert.equal(error.code, status);
      assert.equal(typeof error.description, 'string');
    }
  }
});

test('with city.open311_sms_updates an international phone gets status changes by SMS', async () => {
  const fake = await startFakeProvider();
  const smsServer = await startServer({
    overrides: { ...smsSettings('https://311.example.test', fake.url), city: { open311_sms_updates: true } },
  });
  try {
    const client = open311Client(() => smsServer);
    const admin = staffClient(() => smsServer);
    const partnerKey = await admin.createKey('partner', 'fixmystreet');
    const staffKey = await admin.createKey('staff', 'crm');
    const send = async (form) => {
      const res = await client.post('requests.json', Object.entries({ api_key: partnerKey, service_code: 'pothole', ...form }));
      assert.equal(res.status, 200, res.text);
      return JSON.parse(res.text)[0].service_request_id;
    };
    const international = await send({ address_string: '10 E Roosevelt St', phone: '+1 (602) 555-0188', first_name: 'Ines' });
    const national = await send({ address_string: '90 E Roosevelt St', phone: '602-555-0199' });
    const reporter = async (id) => (await admin.api('GET', `/api/v1/requests/${id}`, { auth: { key: staffKey } })).body;
    assert.equal((await reporter(international)).reporter_channel, 'sms');
    assert.equal((await reporter(national)).reporter_channel, 'open311');
    assert.equal((await reporter(national)).contacts[0].phone, '602-555-0199', 'kept for staff all the same');

    for (const id of [international, national]) {
      const res = await admin.api('PATCH', `/api/v1/requests/${id}`, { auth: { key: staffKey }, body: { status: 'in_progress', public_note: 'Crew on the way.' } });
      assert.equal(res.status, 200, res.text);
    }
    await fake.waitFor(() => fake.delivered().length === 1, 10000, 'the status SMS');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fake.delivered().length, 1, 'the national number gets none');
    const [sms] = fake.delivered();
    assert.equal(sms.params.To, '+16025550188');
    assert.match(sms.params.Body, new RegExp(`${international}.*Crew on the way`, 's'));
  } finally {
    await smsServer.close();
    await fake.close();
  }
});

test('a request staff merged into another reads as a duplicate: extensions and FixMyStreet updates', async () => {
  const start = new Date(Date.now() - 60_000).toISOString();
  const original = await report({ service_code: 'streetlight', address_string: '700 W Jackson St' });
  const copy = await report({ service_code: 'streetlight', address_string: 'lamp by the Jackson St parking lot' });
  assert.notEqual(copy.service_request_id, original.service_request_id);
  const merged = await staff.api('POST', `/api/v1/requests/${copy.service_request_id}/merge`, { auth: { key: keys.staff }, body: { into: original.service_request_id } });
  assert.equal(merged.status, 200, merged.text);

  const [read] = JSON.parse((await open311.get(`requests/${copy.service_request_id}.json?extensions=true`)).text);
  assert.deepEqual([read.status, read.status_notes, read.extended_attributes.duplicate, read.extended_attributes.parent_service_request_id],
    ['closed', 'duplicate', true, original.service_request_id]);
  const xml = child(child(parseXml((await open311.get(`requests/${copy.service_request_id}.xml?extensions=true`)).text), 'request'), 'extended_attributes');
  assert.equal(text(xml, 'parent_service_request_id'), original.service_request_id);
  const end = new Date(Date.now() + 60_000).toISOString();
  const updates = parseXml((await open311.get(`servicerequestupdates.xml?start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}`)).text);
  const mine = updates.children.filter((u) => text(u, 'service_request_id') === copy.service_request_id);
  assert.deepEqual(mine.map((u) => text(u, 'status')), ['DUPLICATE']);
});

test('the rule is the same across channels: an Open311 report of a problem reported in the chat follows it', async () => {
  const chatId = await chatReport(server, 'There is graffiti on the wall at 820 N 7th St');
  const posted = await report({ service_code: 'graffiti', address_string: '820 North 7th Street', ...contact });
  assert.equal(posted.service_request_id, chatId);
  const seen = await detail(chatId);
  assert.equal(seen.reporter_channel, 'web_chat');
  assert.deepEqual(seen.contacts.map((c) => [c.role, c.email]), [['follower', contact.email]]);
});
