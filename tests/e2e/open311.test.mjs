// Open311 GeoReport v2 end to end: every JSON answer validated against the official schemas
// (ajv), every XML answer checked to carry the same data, FixMyStreet's XML client flow
// (services, a definition, a POST with attribute[...] and api_key, the request read back, a
// staff status change seen through servicerequestupdates.xml), partner-key refusals, and no
// phone number or e-mail address a resident typed in any public answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { staffClient } from './staff_client.mjs';
import { chatReport } from './residents.mjs';
import { assertValid, child, open311Client, open311Validators, parseXml, text } from './open311_client.mjs';

let server;
const staff = staffClient(() => server);
const open311 = open311Client(() => server);
const schemas = open311Validators();
const keys = {};

const pii = ['602-555-0199', '6025550199', 'jo.resident@example.com', 'Joanna', 'Quimby',
  '480-555-0142', 'maria.g@example.org', 'device-abc-123', 'acct-77'];

before(async () => {
  server = await startServer({ overrides: { server: { public_base_url: 'https://311.example.test' } } });
  keys.partner = await staff.createKey('partner', 'fixmystreet');
  keys.staff = await staff.createKey('staff', 'crm');
  keys.admin = await staff.createKey('admin', 'ops');
});

after(async () => { await server?.close(); });

async function getJson(route, schema) {
  const res = await open311.get(route);
  assert.equal(res.status, 200, `${route}: ${res.text}`);
  assert.equal(res.type, 'application/json; charset=utf-8');
  const body = JSON.parse(res.text);
  if (schema) assertValid(schemas, schema, body);
  return body;
}

async function getXml(route) {
  const res = await open311.get(route);
  assert.equal(res.status, 200, `${route}: ${res.text}`);
  assert.equal(res.type, 'text/xml; charset=utf-8');
  return parseXml(res.text);
}

/** Asserts the XML element carries each scalar of `object` (null as an empty element). */
function assertSameData(node, object) {
  for (const [key, value] of Object.entries(object)) {
    if (Array.isArray(value) || (value !== null && typeof value === 'object')) continue;
    assert.equal(text(node, key), value === null ? '' : String(value), `<${node.name}><${key}>`);
  }
}

function post(route, params) { return open311.post(route, Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))); }

test('discovery, services and service definitions validate and agree in both formats', async () => {
  const discovery = await getJson('discovery.json');
  assert.equal(discovery.endpoints[0].url, 'https://311.example.test/open311/v2');
  assert.deepEqual(discovery.endpoints[0].formats, ['text/xml', 'application/json']);
  for (const field of ['changeset', 'contact', 'key_service']) assert.equal(typeof discovery[field], 'string');
  const discoveryXml = await getXml('discovery.xml');
  assert.equal(discoveryXml.name, 'discovery');
  assertSameData(discoveryXml, discovery);
  const endpointXml = child(child(discoveryXml, 'endpoints'), 'endpoint');
  assertSameData(endpointXml, discovery.endpoints[0]);
  assert.deepEqual(child(endpointXml, 'formats').children.map((f) => f.text), discovery.endpoints[0].formats);

  const services = await getJson('services.json', 'services.json');
  assert.ok(services.length >= 5);
  const pothole = services.find((s) => s.service_code === 'pothole');
  assert.equal(pothole.type, 'realtime');
  assert.equal(pothole.metadata, true);
  const servicesXml = await getXml('services.xml');
  assert.equal(servicesXml.name, 'services');
  assert.equal(servicesXml.children.length, services.length);
  servicesXml.children.forEach((node, i) => { assert.equal(node.name, 'service'); assertSameData(node, services[i]); });

  for (const service of services) {
    const definition = await getJson(`services/${service.service_code}.json`, 'service-definition.json');
    assert.equal(definition.service_code, service.service_code);
    assert.equal(service.metadata, definition.attributes.length > 0);
    const xml = await getXml(`services/${service.service_code}.xml`);
    assert.equal(xml.name, 'service_definition');
    const attributes = child(xml, 'attributes').children;
    assert.equal(attributes.length, definition.attributes.length);
    attributes.forEach((node, i) => {
      assert.equal(node.name, 'attribute');
      assertSameData(node, definition.attributes[i]);
      const values = definition.attributes[i].values ?? [];
      assert.deepEqual((child(node, 'values', false)?.children ?? []).map((v) => [text(v, 'key'), text(v, 'name')]),
        values.map((v) => [v.key, v.name]));
    });
  }
  const trash = await getJson('services/missed_trash_pickup.json');
  assert.deepEqual(trash.attributes.map((a) => [a.code, a.datatype, a.required, a.order]), [['bin', 'singlevaluelist', true, 1]]);

  const missing = await open311.get('services/no_such_thing.json');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.text)[0].code, 404);
  const missingXml = await open311.get('services/no_such_thing.xml');
  assert.equal(missingXml.status, 404);
  assert.equal(missingXml.type, 'text/xml; charset=utf-8');
  const error = parseXml(missingXml.text);
  assert.equal(error.name, 'errors');
  assert.equal(text(child(error, 'error'), 'code'), '404');
  assert.match(text(child(error, 'error'), 'description'), /no_such_thing/);
});

test('jurisdiction_id is accepted when it is the city\'s and refused (404) otherwise', async () => {
  assert.equal((await getJson('services.json?jurisdiction_id=democity.gov', 'services.json')).length > 0, true);
  for (const route of ['services.json', 'services/pothole.json', 'requests.json', 'discovery.json', 'requests/311-000001.json']) {
    const res = await open311.get(`${route}?jurisdiction_id=elsewhere.gov`);
    assert.equal(res.status, 404, route);
    assert.match(JSON.parse(res.text)[0].description, /jurisdiction_id/);
  }
  const posted = await post('requests.xml', { api_key: keys.partner, jurisdiction_id: 'elsewhere.gov', service_code: 'pothole', lat: '33.45', long: '-112.07' });
  assert.equal(posted.status, 404);
  assert.match(text(child(parseXml(posted.text), 'error'), 'description'), /jurisdiction_id/);
});

test('POST requests refuses without a partner key: missing, unknown, staff, revoked', async () => {
  const form = { service_code: 'pothole', lat: '33.45', long: '-112.07', description: 'hole' };
  const created = await staff.api('POST', '/api/v1/api-keys', { auth: { key: keys.admin }, body: { name: 'old-partner', role: 'partner' } });
  assert.equal(created.status, 201, created.text);
  assert.equal((await post('requests.json', { ...form, api_key: created.body.key })).status, 200);
  assert.equal((await staff.api('DELETE', `/api/v1/api-keys/${created.body.id}`, { auth: { key: keys.admin } })).status, 200);
  const before = (await getJson('requests.json')).length;
  for (const apiKey of [undefined, '', 'ck_' + 'A'.repeat(43), 'nonsense', keys.staff, created.body.key]) {
    const res = await post('requests.json', apiKey === undefined ? form : { ...form, api_key: apiKey });
    assert.equal(res.status, 403, `${apiKey}: ${res.text}`);
    const body = JSON.parse(res.text);
    assert.equal(body[0].code, 403);
    assert.equal(typeof body[0].description, 'string');
  }
  const xml = await post('requests.xml', { ...form, api_key: keys.staff });
  assert.equal(xml.status, 403);
  assert.equal(text(child(parseXml(xml.text), 'error'), 'code'), '403');
  assert.equal((await getJson('requests.json')).length, before, 'nothing was created');
  assert.equal((await post('requests.json', { ...form, api_key: keys.admin })).status, 200, 'admin keys may post');
});

test('POST requests checks the service, location, attributes and description', async () => {
  const base = { api_key: keys.partner, lat: '33.45', long: '-112.07' };
  const cases = [
    [{ ...base }, 400, /service_code/],
    [{ ...base, service_code: 'nope' }, 404, /nope/],
    [{ api_key: keys.partner, service_code: 'pothole' }, 400, /location/],
    [{ ...base, lat: '95', service_code: 'pothole' }, 400, /lat/],
    [{ ...base, service_code: 'missed_trash_pickup' }, 400, /attribute\[bin\] is required/],
    [{ ...base, service_code: 'missed_trash_pickup', 'attribute[bin]': 'piano' }, 400, /attribute\[bin\]/],
    [{ ...base, service_code: 'pothole', description: 'x'.repeat(4001) }, 400, /4000/],
  ];
  for (const [form, status, message] of cases) {
    const res = await post('requests.json', form);
    assert.equal(res.status, status, `${JSON.stringify(form).slice(0, 120)}: ${res.text}`);
    assert.match(JSON.parse(res.text)[0].description, message);
  }
  const ok = await post('requests.json', { ...base, service_code: 'missed_trash_pickup', 'attribute[bin]': 'recycling', description: 'é'.repeat(4000) });
  assert.equal(ok.status, 200, ok.text);
  const [created] = JSON.parse(ok.text);
  assert.match(created.service_request_id, /^311-\d{6}$/);
  const staffView = await staff.api('GET', `/api/v1/requests/${created.service_request_id}`, { auth: { key: keys.staff } });
  assert.equal(staffView.status, 200, staffView.text);
  assert.equal(staffView.body.channel ?? staffView.body.request?.channel, 'open311');
});

test('FixMyStreet-style XML client: services, definition, POST, read back, updates after a staff change', async () => {
  const services = await getXml('services.xml');
  const pothole = services.children.find((s) => text(s, 'service_code') === 'pothole');
  assert.equal(text(pothole, 'metadata'), 'true');
  const definition = await getXml('services/pothole.xml');
  const size = child(definition, 'attributes').children.find((a) => text(a, 'code') === 'size');
  const key = text(child(size, 'values').children.at(-1), 'key');

  const start = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, '+00:00');
  const posted = await post('requests.xml', {
    api_key: keys.partner, service_code: 'pothole', lat: '33.4484', long: '-112.074',
    address_string: '1200 W Jefferson St', [`attribute[size]`]: key,
    description: 'Deep hole in the right lane', email: 'jo.resident@example.com', first_name: 'Joanna',
    last_name: 'Quimby', phone: '602-555-0199', device_id: 'device-abc-123', account_id: 'acct-77',
    media_url: 'https://photos.example.test/1.jpg',
  });
  assert.equal(posted.status, 200, posted.text);
  assert.equal(posted.type, 'text/xml; charset=utf-8');
  const answer = parseXml(posted.text);
  assert.equal(answer.name, 'service_requests');
  const id = text(child(answer, 'request'), 'service_request_id');
  assert.match(id, /^311-\d{6}$/);
  assert.match(text(child(answer, 'request'), 'service_notice'), new RegExp(id));

  const read = child(await getXml(`requests/${id}.xml`), 'request');
  assert.equal(text(read, 'service_code'), 'pothole');
  assert.equal(text(read, 'status'), 'open');
  assert.equal(text(read, 'lat'), '33.4484');
  assert.equal(text(read, 'long'), '-112.074');
  assert.equal(text(read, 'description'), 'Deep hole in the right lane');
  assert.equal(text(read, 'media_url'), 'https://photos.example.test/1.jpg');
  assert.match(text(read, 'requested_datetime'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  const token = child(await getXml(`tokens/${id}.xml`), 'request');
  assert.equal(text(token, 'service_request_id'), id);
  assert.equal((await open311.get('tokens/311-999999.json')).status, 404);

  const changed = await staff.api('PATCH', `/api/v1/requests/${id}`, { auth: { key: keys.staff }, body: { status: 'in_progress', public_note: 'A crew is on the way.', internal_note: 'truck 7 secret' } });
  assert.equal(changed.status, 200, changed.text);

  const end = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, '+00:00');
  const query = `start_date=${encodeURIComponent(start)}&end_date=${encodeURIComponent(end)}&api_key=${keys.partner}`;
  const updatesRes = await open311.get(`servicerequestupdates.xml?${query}`);
  assert.equal(updatesRes.status, 200, updatesRes.text);
  assert.ok(!updatesRes.text.includes('truck 7'), 'internal notes stay internal');
  const updates = parseXml(updatesRes.text);
  assert.equal(updates.name, 'service_requests_updates');
  const mine = updates.children.filter((u) => text(u, 'service_request_id') === id);
  assert.equal(mine.length, 1, updatesRes.text);
  assert.equal(mine[0].name, 'request_update');
  assert.equal(text(mine[0], 'status'), 'IN_PROGRESS');
  assert.equal(text(mine[0], 'description'), 'A crew is on the way.');
  assert.match(text(mine[0], 'update_id'), /^\d+$/);
  assert.match(text(mine[0], 'updated_datetime'), /Z$/);

  // The client posts a resident's comment back; it becomes a public note.
  const comment = await post('servicerequestupdates.xml', { api_key: keys.partner, service_request_id: id, description: 'Still there this morning', status: 'OPEN', updated_datetime: end });
  assert.equal(comment.status, 200, comment.text);
  const updateId = text(child(parseXml(comment.text), 'request_update'), 'update_id');
  assert.match(updateId, /^\d+$/);
  const refused = await post('servicerequestupdates.xml', { api_key: keys.staff, service_request_id: id, description: 'x' });
  assert.equal(refused.status, 403);
  assert.equal((await post('servicerequestupdates.xml', { api_key: keys.partner, service_request_id: '311-999999', description: 'x' })).status, 404);

  const after = parseXml((await open311.get(`servicerequestupdates.xml?${query}`)).text)
    .children.filter((u) => text(u, 'service_request_id') === id);
  assert.deepEqual(after.map((u) => [text(u, 'status'), text(u, 'description')]),
    [['IN_PROGRESS', 'A crew is on the way.'], ['IN_PROGRESS', 'Still there this morning']]);
  assert.equal(text(after[1], 'update_id'), updateId);

  const [extended] = await getJson(`requests/${id}.json?extensions=true`, 'requests.json');
  assert.equal(extended.extended_attributes.channel, 'open311');
  assert.equal(extended.extended_attributes.detailed_status, 'in_progress');
  assert.deepEqual(extended.extended_attributes.notes.map((n) => n.description), ['A crew is on the way.', 'Still there this morning']);
});

test('GET requests: filters, open/closed, paging, extensions, errors; JSON valid and XML the same', async () => {
  const ids = [];
  for (const code of ['graffiti', 'graffiti', 'streetlight']) {
    const res = await post('requests.json', { api_key: keys.partner, service_code: code, address_string: `${ids.length + 1}00 N Main St` });
    assert.equal(res.status, 200, res.text);
    ids.push(JSON.parse(res.text)[0].service_request_id);
  }
  assert.equal((await staff.api('PATCH', `/api/v1/requests/${ids[0]}`, { auth: { key: keys.staff }, body: { status: 'rejected', public_note: 'Private property.' } })).status, 200);

  const all = await getJson('requests.json', 'requests.json');
  for (const id of ids) assert.ok(all.some((r) => r.service_request_id === id));
  const xml = await getXml('requests.xml');
  assert.equal(xml.name, 'service_requests');
  assert.equal(xml.children.length, all.length);
  xml.children.forEach((node, i) => { assert.equal(node.name, 'request'); assertSameData(node, all[i]); });

  const graffiti = await getJson('requests.json?service_code=graffiti', 'requests.json');
  assert.deepEqual(graffiti.map((r) => r.service_request_id).sort(), ids.slice(0, 2).sort());
  const two = await getJson('requests.json?service_code=graffiti,streetlight', 'requests.json');
  assert.equal(two.length, 3);
  assert.deepEqual(two.map((r) => r.requested_datetime), two.map((r) => r.requested_datetime).sort().reverse());
  const closed = await getJson('requests.json?service_code=graffiti&status=closed', 'requests.json');
  assert.deepEqual(closed.map((r) => [r.service_request_id, r.status, r.status_notes]), [[ids[0], 'closed', 'rejected']]);
  const open = await getJson('requests.json?service_code=graffiti&status=open', 'requests.json');
  assert.deepEqual(open.map((r) => r.service_request_id), [ids[1]]);
  const byId = await getJson(`requests.json?service_request_id=${ids[2]},${ids[0]}&service_code=pothole`, 'requests.json');
  assert.deepEqual(byId.map((r) => r.service_request_id), [ids[2], ids[0]]);

  const page1 = await getJson('requests.json?page_size=2&page=1');
  const page2 = await getJson('requests.json?page_size=2&page=2');
  assert.equal(page1.length, 2);
  assert.deepEqual([...page1, ...page2].map((r) => r.service_request_id), all.slice(0, 2 + page2.length).map((r) => r.service_request_id));

  const ext = await getJson(`requests.json?service_request_id=${ids[0]}&extensions=true`, 'requests.json');
  assert.deepEqual(ext[0].extended_attributes.notes.map((n) => [n.description, n.status]), [['Private property.', 'rejected']]);
  const extXml = child(child(await getXml(`requests.xml?service_request_id=${ids[0]}&extensions=true`), 'request'), 'extended_attributes');
  assert.equal(text(child(child(extXml, 'notes'), 'note'), 'description'), 'Private property.');

  const past = await getJson('requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00-07:00', 'requests.json');
  assert.deepEqual(past, []);
  for (const [query, message] of [['start_date=yesterday', /start_date/], ['start_date=2026-01-01T00:00:00', /start_date/],
    ['start_date=2020-01-01T00:00:00Z&end_date=2020-06-01T00:00:00Z', /90 days/], ['status=pending', /status/], ['page_size=5000', /page_size/]]) {
    const res = await open311.get(`requests.json?${query}`);
    assert.equal(res.status, 400, query);
    const body = JSON.parse(res.text);
    assert.equal(body[0].code, 400);
    assert.match(body[0].description, message);
  }
  assert.equal((await open311.get('requests/311-999999.json')).status, 404);
  assert.equal((await open311.get('requests/311-999999.xml')).type, 'text/xml; charset=utf-8');
});

test('no phone number, e-mail address, name or device id a resident gave appears in any GET', async () => {
  const posted = await post('requests.json', {
    api_key: keys.partner, service_code: 'graffiti', address_string: '77 E Van Buren St',
    description: 'Tag on the wall. Call me at 602-555-0199 or write jo.resident@example.com',
    email: 'jo.resident@example.com', phone: '602-555-0199', first_name: 'Joanna', last_name: 'Quimby',
    device_id: 'device-abc-123', account_id: 'acct-77',
  });
  assert.equal(posted.status, 200, posted.text);
  const id = JSON.parse(posted.text)[0].service_request_id;
  const chatId = await chatReport(server, 'There is graffiti at 12 W Washington St, text me 480-555-0142 or maria.g@example.org');
  await post('servicerequestupdates.xml', { api_key: keys.partner, service_request_id: id, description: 'Reach me on 480 555 0142', email: 'maria.g@example.org' });

  const [masked] = await getJson(`requests/${id}.json`);
  assert.match(masked.description, /\[phone\]/);
  assert.match(masked.description, /\[email\]/);
  const routes = ['discovery.json', 'discovery.xml', 'services.json', 'services.xml', 'services/graffiti.json',
    'services/graffiti.xml', 'requests.json', 'requests.xml', 'requests.json?extensions=true',
    'requests.xml?extensions=true', `requests/${id}.json?extensions=true`, `requests/${id}.xml`,
    `requests/${chatId}.json?extensions=true`, `requests/${chatId}.xml?extensions=true`, `tokens/${id}.json`,
    'servicerequestupdates.xml', 'servicerequestupdates.json'];
  for (const route of routes) {
    const res = await open311.get(route);
    assert.equal(res.status, 200, `${route}: ${res.text}`);
    for (const secret of [...pii, '480 555 0142']) assert.ok(!res.text.includes(secret), `${route} leaks ${secret}`);
  }
});
