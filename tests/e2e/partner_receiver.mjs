// A partner's webhook endpoint on 127.0.0.1 for the fault tests: records every delivery
// (webhook-id, type) and answers 200, or an outage status on demand; it can also stop
// listening altogether (connection refused) and come back on the same port.
import http from 'node:http';

/** Starts the receiver on a free port; `delayMs` slows every answer (deliveries fall behind). */
export async function startPartnerReceiver({ delayMs = 0 } = {}) {
  const receiver = { received: [], port: 0, failing: null, server: null, sockets: new Set() };
  const handler = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const answer = () => {
        const status = receiver.failing ?? 200;
        receiver.received.push({ id: req.headers['webhook-id'], status, body, at: Date.now() });
        res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'down');
      };
      if (delayMs > 0) setTimeout(answer, delayMs); else answer();
    });
  };
  receiver.listen = (port) => new Promise((resolve, reject) => {
    receiver.server = http.createServer(handler);
    receiver.server.on('connection', (s) => { receiver.sockets.add(s); s.on('close', () => receiver.sockets.delete(s)); });
    receiver.server.once('error', reject);
    receiver.server.listen(port, '127.0.0.1', () => { receiver.port = receiver.server.address().port; resolve(); });
  });
  /** Stops listening: the server's deliveries now meet "connection refused". */
  receiver.stop = () => new Promise((resolve) => {
    if (!receiver.server) return resolve();
    receiver.server.close(() => resolve());
    for (const s of receiver.sockets) s.destroy();
    receiver.server = null;
  });
  /** Listens again on the same port. */
  receiver.restart = () => receiver.listen(receiver.port);
  /** Answers every delivery with `status` (e.g. 503) until recover(). */
  receiver.fail = (status) => { receiver.failing = status; };
  receiver.recover = () => { receiver.failing = null; };
  receiver.url = () => `http://127.0.0.1:${receiver.port}/hooks`;
  /** Distinct webhook-ids acknowledged with 200. */
  receiver.deliveredIds = () => new Set(receiver.received.filter((r) => r.status === 200).map((r) => r.id));
  await receiver.listen(0);
  return receiver;
}
