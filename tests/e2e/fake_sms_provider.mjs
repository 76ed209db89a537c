// A local stand-in for the SMS providers' REST APIs (Twilio's Messages.json, Vonage's
// /sms/json): records every request it receives and answers like the real API would, or
// fails on demand (an outage, an opted-out recipient).
import http from 'node:http';
import { randomBytes } from 'node:crypto';

/**
 * Starts the fake on 127.0.0.1 and a free port.
 * `received` lists every request: {provider, path, auth, params, status} (status = what we answered).
 */
export async function startFakeProvider() {
  const received = [];
  let failure = null; // {status, body} answered instead of success while set
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(raw));
      const provider = req.url.startsWith('/2010-04-01/') ? 'twilio' : req.url === '/sms/json' ? 'vonage' : 'unknown';
      const entry = { provider, method: req.method, path: req.url, auth: req.headers.authorization, headers: req.headers, params };
      received.push(entry);
      const send = (status, body) => {
        entry.status = status;
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (provider === 'unknown' || req.method !== 'POST') return send(404, { message: 'not found' });
      if (failure) return send(failure.status, failure.body);
      const id = `SM${randomBytes(16).toString('hex')}`;
      entry.sid = id;
      if (provider === 'twilio') {
        return send(201, { sid: id, status: 'queued', to: params.To, from: params.From, body: params.Body });
      }
      return send(200, { 'message-count': '1', messages: [{ to: params.to, 'message-id': id, status: '0' }] });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    received,
    /** Successful sends so far. */
    delivered() { return received.filter((r) => r.status >= 200 && r.status < 300); },
    /** Answer every request with this status and body until recover(). */
    fail(status, body = { code: 20500, message: 'Service unavailable', status }) { failure = { status, body }; },
    recover() { failure = null; },
    /** Resolves once `predicate()` holds; rejects after `timeoutMs`. */
    async waitFor(predicate, timeoutMs = 10000, what = 'the fake provider to receive a request') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(received)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close() { return new Promise((resolve) => server.close(resolve)); },
  };
}
