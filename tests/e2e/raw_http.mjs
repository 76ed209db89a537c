// Raw TCP conversations with the server, for requests that fetch() refuses to
// send (malformed lines, oversized headers, trickled bytes).
import net from 'node:net';

/**
 * Opens a connection, writes `chunks` (strings or Buffers; {delayMs} entries pause),
 * and resolves with everything the server sent until it closed the connection,
 * plus how long that took. Rejects after `timeoutMs`.
 */
export function converse(port, chunks, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let closed = false;
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no close within ${timeoutMs} ms; got: ${received}`)); }, timeoutMs);
    socket.on('data', (d) => { received = Buffer.concat([received, d]); });
    socket.on('error', () => {});  // a reset after the answer is fine; 'close' follows
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ text: received.toString('latin1'), elapsedMs: Date.now() - started });
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (closed) return;
        if (chunk && typeof chunk === 'object' && 'delayMs' in chunk) {
          await new Promise((r) => setTimeout(r, chunk.delayMs));
        } else {
          socket.write(chunk);
        }
      }
    });
  });
}

/** The status code of the first response in a raw reply, or 0. */
export function statusOf(text) {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
  return match ? Number(match[1]) : 0;
}

/** The JSON body of the first response in a raw reply. */
export function jsonBodyOf(text) {
  const start = text.indexOf('\r\n\r\n');
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, start))[1]);
  return JSON.parse(text.slice(start + 4, start + 4 + length));
}
