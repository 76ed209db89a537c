// Photos in the web chat end to end: a visitor uploads a JPEG that carries EXIF GPS tags (the
// way a phone camera writes them) and a PNG with a text chunk, names them in the report's
// messages, and the request gets them. Staff fetch the original (byte for byte, EXIF and all)
// with credentials; the public status page shows a re-encoded thumbnail that has no EXIF, no
// GPS and no text chunk. Uploads are sniffed by their bytes, limited in size (413 with words
// the widget can show), stored under the data directory, and only their uploader may use them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startServer } from './harness.mjs';
import { converse, jsonBodyOf, statusOf } from './raw_http.mjs';
import { chatVisitor, sql } from './residents.mjs';
import { staffClient } from './staff_client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const maxBytes = 64 * 1024; // the fixture photo is 34 KB
let server;
let staff;
const keys = {};

// ---- photo bytes -------------------------------------------------------------------------

/** An EXIF APP1 segment (big-endian TIFF) with a GPS IFD: 33°24'45.12"N 111°49'30.21"W. */
function exifWithGps() {
  const tiff = Buffer.alloc(128);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  // IFD0: one entry, GPSInfo (0x8825) -> the GPS IFD at 26.
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(0x8825, 10); tiff.writeUInt16BE(4, 12); tiff.writeUInt32BE(1, 14); tiff.writeUInt32BE(26, 18);
  tiff.writeUInt32BE(0, 22);
  // GPS IFD: latitude ref/value, longitude ref/value; rationals at 80 and 104.
  tiff.writeUInt16BE(4, 26);
  const entry = (at, tag, type, count, value) => {
    tiff.writeUInt16BE(tag, at); tiff.writeUInt16BE(type, at + 2); tiff.writeUInt32BE(count, at + 4);
    if (typeof value === 'string') tiff.write(value, at + 8, 'latin1'); else tiff.writeUInt32BE(value, at + 8);
  };
  entry(28, 1, 2, 2, 'N\0');
  entry(40, 2, 5, 3, 80);
  entry(52, 3, 2, 2, 'W\0');
  entry(64, 4, 5, 3, 104);
  tiff.writeUInt32BE(0, 76);
  [[33, 1], [24, 1], [4512, 100], [111, 1], [49, 1], [3021, 100]].forEach(([n, d], i) => {
    tiff.writeUInt32BE(n, 80 + i * 8); tiff.writeUInt32BE(d, 84 + i * 8);
  });
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** The fixture photo (1024x768, no metadata) with the GPS EXIF segment right after SOI. */
function jpegWithGps() {
  const plain = readFileSync(path.join(here, 'fixtures/pothole.jpg'));
  return Buffer.concat([plain.subarray(0, 2), exifWithGps(), plain.subarray(2)]);
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A 900x300 RGB PNG with a tEXt chunk that names a place. */
function pngWithText() {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const [w, h] = [900, 300];
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * (w * 3 + 1) + 1 + x * 3] = x % 256;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from('Location\x00GPS 33.4125 -111.8250 secret-place', 'latin1')),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Width and height from a JPEG's SOF marker. */
function jpegSize(buf) {
  let i = 2;
  while (i < buf.length) {
    const marker = buf.readUInt16BE(i);
    const length = buf.readUInt16BE(i + 2);
    if (marker >= 0xffc0 && marker <= 0xffc2) return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

/** The marker types of a JPEG's header segments, up to the image data. */
function jpegMarkers(buf) {
  const markers = [];
  let i = 2;
  while (i < buf.length && buf.readUInt16BE(i) !== 0xffda) {
    markers.push(buf.readUInt16BE(i));
    i += 2 + buf.readUInt16BE(i + 2);
  }
  return markers;
}

// ---- clients -----------------------------------------------------------------------------

async function upload(bytes, type, cookie) {
  const res = await fetch(`${server.url}/chat/api/attachments`, {
    method: 'POST', headers: { 'Content-Type': type, ...(cookie ? { Cookie: cookie } : {}) }, body: bytes,
  });
  const text = await res.text();
  let body = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body, setCookie: res.headers.get('set-cookie') };
}

/** A visitor whose first request is an upload: the upload starts the session. */
async function visitorWithPhoto(bytes, type) {
  const first = await upload(bytes, type);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const visitor = chatVisitor(() => server);
  // Reuse the session cookie the upload set, for the messages.
  const cookie = first.setCookie.split(';')[0];
  return { id: first.body.id, first, cookie, say: (text, extra = {}) => sayWith(cookie, text, extra), visitor };
}

async function sayWith(cookie, text, extra = {}) {
  const res = await fetch(`${server.url}/chat/api/messages`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify({ text, ...extra }),
  });
  const body = await res.json();
  return { status: res.status, body, texts: (body.replies ?? []).map((r) => r.text) };
}

/** Files a pothole report whose first message carries `attachments`; resolves to the tracking id. */
async function reportWith(say, attachments, address = '1234 Main St') {
  let reply = await say(`pothole at ${address}`, { attachments });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  for (const answer of ['no', 'large']) if (!/YES/.test(reply.texts.join(' '))) reply = await say(answer);
  assert.match(reply.texts.join(' '), /YES/, JSON.stringify(reply.body));
  const done = await say('yes');
  assert.match(done.body.tracking_id, /^311-\d{6}$/, JSON.stringify(done.body));
  return done.body.tracking_id;
}

before(async () => {
  server = await startServer({ overrides: { server: { public_base_url: 'https://311.example.test' }, attachments: { max_bytes: maxBytes } } });
  staff = staffClient(() => server);
  keys.staff = await staff.createKey('staff', 'crm');
  keys.partner = await staff.createKey('partner', 'fixmystreet');
});

after(async () => {
  await server?.close();
});

// ---- tests -------------------------------------------------------------------------------

test('a JPEG with GPS EXIF: staff get the original, the public a thumbnail without any metadata', async () => {
  const photo = jpegWithGps();
  assert.ok(photo.includes(Buffer.from('Exif\0\0')), 'the upload really carries EXIF');
  const a = await visitorWithPhoto(photo, 'image/jpeg');
  assert.match(a.id, /^att_[0-9a-f]{32}$/);
  assert.equal(a.first.body.media_type, 'image/jpeg');
  assert.equal(a.first.body.bytes, photo.length);
  assert.equal(a.first.body.public_thumbnail, true);
  assert.match(a.first.setCookie, /^civicline_chat=[\w-]{43}; Path=\/chat; HttpOnly; SameSite=Lax/);
  // The PNG comes in the same conversation, declared as JPEG: the bytes decide.
  const png = await upload(pngWithText(), 'image/jpeg', a.cookie);
  assert.equal(png.status, 201, JSON.stringify(png.body));
  assert.equal(png.body.media_type, 'image/png');
  assert.equal(png.setCookie, null, 'an existing session is kept');

  const id = await reportWith(a.say, [a.id, png.body.id]);
  const media = JSON.parse(sql(server, `SELECT media_urls_json FROM service_requests WHERE tracking_id = '${id}'`));
  assert.deepEqual(media, [`https://311.example.test/api/v1/attachments/${a.id}`,
    `https://311.example.test/api/v1/attachments/${png.body.id}`]);

  // Files live under the data directory, under names the server made.
  const files = readdirSync(path.join(server.dir, 'attachments')).sort();
  assert.deepEqual(files, [`${a.id}.jpg`, `${a.id}.thumb.jpg`, `${png.body.id}.png`, `${png.body.id}.thumb.jpg`].sort());

  // Staff: the original, byte for byte.
  const original = await fetch(`${server.url}/api/v1/attachments/${a.id}`, { headers: { Authorization: `Bearer ${keys.staff}` } });
  assert.equal(original.status, 200);
  assert.equal(original.headers.get('content-type'), 'image/jpeg');
  assert.match(original.headers.get('cache-control'), /no-store/);
  assert.ok(Buffer.from(await original.arrayBuffer()).equals(photo));

  // The public: the page links the thumbnails; each is a small JPEG with nothing but pixels.
  const page = await (await fetch(`${server.url}/r/${id}`)).text();
  for (const att of [a.id, png.body.id]) {
    assert.match(page, new RegExp(`<img src="/r/${id}/photos/${att}\\.jpg" alt="[^"]+">`));
    const res = await fetch(`${server.url}/r/${id}/photos/${att}.jpg`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    const thumb = Buffer.from(await res.arrayBuffer());
    assert.equal(thumb.readUInt16BE(0), 0xffd8);
    const markers = jpegMarkers(thumb);
    assert.ok(!markers.some((m) => m >= 0xffe1 && m <= 0xffef), `no APPn but JFIF: ${markers.map((m) => m.toString(16))}`);
    assert.ok(!markers.includes(0xfffe), 'no comment');
    assert.ok(!thumb.includes(Buffer.from('Exif')) && !thumb.includes(Buffer.from('secret-place')));
    assert.ok(!thumb.includes(Buffer.from('MM\0\x2A', 'latin1')), 'no TIFF structure');
    const size = jpegSize(thumb);
    assert.ok(Math.max(size.width, size.height) <= 640 && size.width > 100, JSON.stringify(size));
  }
  const json = JSON.parse(await (await fetch(`${server.url}/r/${id}.json`)).text());
  assert.deepEqual(json.photos, [`https://311.example.test/r/${id}/photos/${a.id}.jpg`,
    `https://311.example.test/r/${id}/photos/${png.body.id}.jpg`]);
});

test('originals are for staff only', async () => {
  const a = await visitorWithPhoto(jpegWithGps(), 'image/jpeg');
  const route = `${server.url}/api/v1/attachments/${a.id}`;
  assert.equal((await fetch(route)).status, 401);
  assert.equal((await fetch(route, { headers: { Cookie: a.cookie } })).status, 401, 'not even for the uploader');
  assert.equal((await fetch(route, { headers: { Authorization: `Bearer ${keys.partner}` } })).status, 403);
  const unknown = await fetch(`${server.url}/api/v1/attachments/att_${'0'.repeat(32)}`, { headers: { Authorization: `Bearer ${keys.staff}` } });
  assert.equal(unknown.status, 404);
  const traversal = await fetch(`${server.url}/api/v1/attachments/..%2Fcivicline.db`, { headers: { Authorization: `Bearer ${keys.staff}` } });
  assert.equal(traversal.status, 404);
});

test('a thumbnail is public only once its photo is on that request', async () => {
  const a = await visitorWithPhoto(jpegWithGps(), 'image/jpeg');
  const other = await visitorWithPhoto(readFileSync(path.join(here, 'fixtures/pothole.jpg')), 'image/jpeg');
  const id = await reportWith(other.say, [other.id], '77 W Broadway Rd');
  assert.equal((await fetch(`${server.url}/r/${id}/photos/${a.id}.jpg`)).status, 404, 'not on this request');
  assert.equal((await fetch(`${server.url}/r/${id}/photos/${other.id}.jpg`)).status, 200);
  assert.equal((await fetch(`${server.url}/r/${id}/photos/${other.id}.png`)).status, 404);
});

test('a report that turns out to be a duplicate brings its photo to the original', async () => {
  const first = await visitorWithPhoto(readFileSync(path.join(here, 'fixtures/pothole.jpg')), 'image/jpeg');
  const original = await reportWith(first.say, [first.id], '500 S Mill Ave');
  const second = await visitorWithPhoto(jpegWithGps(), 'image/jpeg');
  let reply = await second.say('pothole at 500 S Mill Ave', { attachments: [second.id] });
  for (const answer of ['no', 'large']) if (!/YES/.test(reply.texts.join(' '))) reply = await second.say(answer);
  const done = await second.say('yes');
  assert.match(done.texts.join(' '), new RegExp(`already reported as ${original}`), JSON.stringify(done.body));
  const media = JSON.parse(sql(server, `SELECT media_urls_json FROM service_requests WHERE tracking_id = '${original}'`));
  assert.deepEqual(media.map((u) => u.split('/').at(-1)), [first.id, second.id]);
  assert.equal((await fetch(`${server.url}/r/${original}/photos/${second.id}.jpg`)).status, 200);
});

test('only the uploader may attach a photo to a message', async () => {
  const a = await visitorWithPhoto(jpegWithGps(), 'image/jpeg');
  const b = await visitorWithPhoto(readFileSync(path.join(here, 'fixtures/pothole.jpg')), 'image/jpeg');
  const stolen = await b.say('pothole at 1 Main St', { attachments: [a.id] });
  assert.equal(stolen.status, 422);
  assert.equal(stolen.body.error.code, 'unknown_attachment');
  const made_up = await b.say('pothole', { attachments: ['att_x'] });
  assert.equal(made_up.status, 422);
  // Without any session, a message naming an attachment is refused too.
  const anonymous = await chatVisitor(() => server);
  const res = await fetch(`${server.url}/chat/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'hi', attachments: [a.id] }) });
  assert.equal(res.status, 422);
  assert.ok(anonymous);
  const badShape = await b.say('hi', { attachments: 'att_1' });
  assert.equal(badShape.status, 422);
  assert.equal((await b.say('hi', { attachments: Array(6).fill(b.id) })).status, 422);
});

test('uploads are checked by their bytes, not by what they claim', async () => {
  const text = await upload(Buffer.from('<html><script>alert(1)</script></html>'), 'image/jpeg');
  assert.equal(text.status, 415);
  assert.equal(text.body.error.code, 'unsupported_media_type');
  assert.match(text.body.error.message, /JPEG, PNG or HEIC/);
  const broken = await upload(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]), 'image/jpeg');
  assert.equal(broken.status, 422);
  assert.match(broken.body.error.message, /not a readable JPEG/);
  const wrongType = await upload(readFileSync(path.join(here, 'fixtures/pothole.jpg')), 'text/plain');
  assert.equal(wrongType.status, 415);
  const empty = await upload(Buffer.alloc(0), 'image/png');
  assert.equal(empty.status, 422);

  // HEIC is stored for staff, without a public thumbnail (civicline does not decode HEIC).
  const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(3000, 1)]);
  const stored = await upload(heic, 'image/heic');
  assert.equal(stored.status, 201, JSON.stringify(stored.body));
  assert.equal(stored.body.media_type, 'image/heic');
  assert.equal(stored.body.public_thumbnail, false);
  const original = await fetch(`${server.url}/api/v1/attachments/${stored.body.id}`, { headers: { Authorization: `Bearer ${keys.staff}` } });
  assert.equal(original.headers.get('content-type'), 'image/heic');
  assert.ok(Buffer.from(await original.arrayBuffer()).equals(heic));
});

test('a photo over the limit gets a 413 the chat can show', async () => {
  // Announced by Content-Length: refused before the body is read.
  const announced = await converse(server.port, [
    `POST /chat/api/attachments HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: ${maxBytes + 1}\r\n\r\n`,
  ]);
  assert.equal(statusOf(announced.text), 413);
  const body = jsonBodyOf(announced.text);
  assert.equal(body.error.code, 'payload_too_large');
  assert.equal(body.error.message, 'The photo is too large: the limit is 64 KB. Send a smaller picture.');
  // Sent without a length (chunked), the limit holds as well, with the same words.
  const chunk = Buffer.alloc(30 * 1024, 1).toString('latin1');
  const hex = chunk.length.toString(16);
  const chunked = await converse(server.port, [
    'POST /chat/api/attachments HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n',
    `${hex}\r\n${chunk}\r\n`, `${hex}\r\n${chunk}\r\n`, `${hex}\r\n${chunk}\r\n`, '0\r\n\r\n',
  ]);
  assert.equal(statusOf(chunked.text), 413);
  assert.match(jsonBodyOf(chunked.text).error.message, /limit is 64 KB/);
  // A photo just under the limit is fine; other routes keep http.max_body_bytes (1 MB).
  const photo = readFileSync(path.join(here, 'fixtures/pothole.jpg'));
  assert.equal((await upload(photo, 'image/jpeg')).status, 201);
  const message = await converse(server.port, [
    `POST /chat/api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${(1 << 20) + 1}\r\n\r\n`,
  ]);
  assert.equal(statusOf(message.text), 413);
  assert.match(jsonBodyOf(message.text).error.message, /1048576 bytes/);
});
