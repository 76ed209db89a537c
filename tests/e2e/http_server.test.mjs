// The HTTP server, driven the way clients and attackers drive it: real
// sockets against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { converse, statusOf, jsonBodyOf } from './raw_http.mjs';

let server;
before(async () => {
  server = await startServer({
    overrides: {
      http: { max_body_bytes: 4096, max_header_bytes: 2048, header_timeout_ms: 1000, read_timeout_ms: 1000, idle_timeout_ms: 2000 },
      diagnostics: { write_probe: true },
    },
  });
});
after(async () => { await server?.close(); });

test('healthz answers 200 with JSON and a request id', async () => {
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('a plain request id from the client is echoed back', async () => {
  const res = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'trace-abc.123' } });
  assert.equal(res.headers.get('x-request-id'), 'trace-abc.123');
  const hostile = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': '<script>' } });
  assert.match(hostile.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
});

test('readyz answers 200 when the database is readable', async () => {
  const res = await fetch(`${server.url}/readyz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ready' });
});

test('an unknown route is 404 with a JSON error', async () => {
  const res = await fetch(`${server.url}/no/such/page`);
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, 'not_found');
  assert.ok(body.error.message.length > 0);
});

test('a wrong method is 405 with an Allow header', async () => {
  const res = await fetch(`${server.url}/healthz`, { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
  assert.equal((await res.json()).error.code, 'method_not_allowed');
});

test('HEAD gets the headers of GET without a body', async () => {
  const res = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), '15');
  assert.equal(await res.text(), '');
});

test('an oversized body is refused with 413 before it is read', async () => {
  const res = await fetch(`${server.url}/_diag/write-probes`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key: 'big', payload: 'x'.repeat(10000) }),
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'payload_too_large');
});

test('an oversized chunked body is refused with 413', async () => {
  const chunk = 'x'.repeat(3000);
  const hex = chunk.length.toString(16);
  const { text } = await converse(server.port, [
    'POST /_diag/write-probes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
    `${hex}\r\n${chunk}\r\n`, `${hex}\r\n${chunk}\r\n`, '0\r\n\r\n',
  ]);
  assert.equal(statusOf(text), 413);
});

test('an oversized header is refused with 431', async () => {
  const { text } = await converse(server.port, [
    `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`,
  ]);
  assert.equal(statusOf(text), 431);
  assert.equal(jsonBodyOf(text).error.code, 'request_header_fields_too_large');
});

test('a malformed request line is 400 and the connection closes', async () => {
  for (const line of ['GARBAGE\r\n\r\n', 'GET /healthz HTTP/9.9\r\n\r\n', 'GET  HTTP/1.1\r\n\r\n', 'G\x00T / HTTP/1.1\r\n\r\n']) {
    const { text } = await converse(server.port, [line]);
    assert.equal(statusOf(text), 400, `for ${JSON.stringify(line)}: ${text}`);
    assert.equal(jsonBodyOf(text).error.code, 'bad_request');
  }
});

test('a target that is not a path is 400', async () => {
  const { text } = await converse(server.port, ['GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n']);
  assert.equal(statusOf(text), 400);
});

test('a POST without Content-Length is 411', async () => {
  const { text } = await converse(server.port, ['POST /_diag/write-probes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  assert.equal(statusOf(text), 411);
  assert.equal(jsonBodyOf(text).error.code, 'length_required');
});

test('a wrong content type is 415 and malformed JSON is 400', async () => {
  const form = await fetch(`${server.url}/_diag/write-probes`, { method: 'POST', body: 'key=a' });
  assert.equal(form.status, 415);
  const bad = await fetch(`${server.url}/_diag/write-probes`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"key": ',
  });
  assert.equal(bad.status, 400);
  const invalid = await fetch(`${server.url}/_diag/write-probes`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"key": 5}',
  });
  assert.equal(invalid.status, 422);
});

test('a client that sends its header one byte a second is cut off by the header timeout', async () => {
  const request = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
  const chunks = [];
  for (const byte of request) chunks.push(byte, { delayMs: 400 });
  const { text, elapsedMs } = await converse(server.port, chunks, { timeoutMs: 8000 });
  assert.equal(statusOf(text), 0, 'no response to a trickled header');
  assert.ok(elapsedMs < 4000, `closed after ${elapsedMs} ms`);
});

test('a connection that never speaks is closed', async () => {
  const { text, elapsedMs } = await converse(server.port, [], { timeoutMs: 8000 });
  assert.equal(text, '');
  assert.ok(elapsedMs < 4000, `closed after ${elapsedMs} ms`);
});

test('a body that stops arriving is cut off by the read timeout', async () => {
  const { elapsedMs } = await converse(server.port, [
    'POST /_diag/write-probes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"key"',
  ], { timeoutMs: 8000 });
  assert.ok(elapsedMs < 4000, `closed after ${elapsedMs} ms`);
});

test('keep-alive serves several requests on one connection, pipelined', async () => {
  const one = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
  const { text } = await converse(server.port, [one + one + 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
  assert.equal(text.match(/HTTP\/1\.1 200 OK/g).length, 3);
});

test('Expect: 100-continue gets a 100 before the body is sent', async () => {
  const body = JSON.stringify({ key: 'continue-probe' });
  const { text } = await converse(server.port, [
    `POST /_diag/write-probes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`,
    { delayMs: 200 }, body,
  ]);
  assert.match(text, /^HTTP\/1\.1 100 Continue\r\n/);
  assert.match(text, /HTTP\/1\.1 201 Created/);
});

test('static files have their content types and cannot escape the web root', async () => {
  const home = await fetch(`${server.url}/`);
  assert.equal(home.status, 200);
  assert.equal(home.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(home.headers.get('content-security-policy'), /default-src 'self'/);
  const css = await fetch(`${server.url}/assets/site.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  const etag = css.headers.get('etag');
  const again = await fetch(`${server.url}/assets/site.css`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  for (const target of ['/../../etc/passwd', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/assets/..%5c..%5cetc%5cpasswd', '/%00', '/assets/%zz', '/.git/config']) {
    const { text } = await converse(server.port, [`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
    assert.ok([400, 404].includes(statusOf(text)), `${target} -> ${statusOf(text)}`);
    assert.ok(!text.includes('root:'), `${target} leaked a file`);
  }
});

test('metrics expose request counts, latency histograms and writer figures', async () => {
  await fetch(`${server.url}/healthz`);
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /civicline_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(text, /civicline_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\} \d+/);
  assert.match(text, /civicline_storage_writer_queue_depth \d+/);
  assert.match(text, /civicline_storage_commit_batch_size_bucket\{le="\+Inf"\} \d+/);
  assert.match(text, /civicline_http_requests_total\{method="GET",route="\(unmatched\)|\(static\)",status="404"\}/);
});

test('the access log has one JSON line per request, without the query string', async () => {
  await fetch(`${server.url}/healthz?token=secret-value`, { headers: { 'X-Request-Id': 'access-log-check' } });
  // Info lines are flushed every second (warn and up at once).
  const find = () => server.events().find((e) => e.event === 'http_request' && e.request_id === 'access-log-check');
  for (let i = 0; i < 60 && !find(); i++) await new Promise((r) => setTimeout(r, 50));
  const line = find();
  assert.ok(line, 'access log line present');
  assert.equal(line.path, '/healthz');
  assert.equal(line.status, 200);
  assert.equal(typeof line.ms, 'number');
  assert.ok(!server.stdout.includes('secret-value'));
});

test('write probes are stored and read back, and a repeated key is 409', async () => {
  const post = (key) => fetch(`${server.url}/_diag/write-probes`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key, payload: { n: 1 } }),
  });
  const created = await post("o'brien; DROP TABLE write_probes;--");
  assert.equal(created.status, 201);
  assert.equal((await post("o'brien; DROP TABLE write_probes;--")).status, 409);
  const read = await fetch(`${server.url}/_diag/write-probes/${encodeURIComponent("o'brien; DROP TABLE write_probes;--")}`);
  assert.equal(read.status, 200);
  assert.deepEqual((await read.json()).payload, { n: 1 });
  assert.equal((await fetch(`${server.url}/_diag/write-probes/nope`)).status, 404);
});
