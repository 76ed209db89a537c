// A web-chat visitor's feed for end-to-end tests: the transcript after a cursor, the
// long-poll, and the WebSocket (the `ws` package; Node 20 has no WebSocket client by default).
import WebSocket from 'ws';

/** GET /chat/api/messages?after=…; resolves to {status, headers, body}. */
export async function history(server, { cookie, after = 0, wait, headers = {} } = {}) {
  const query = `after=${after}` + (wait === undefined ? '' : `&wait=${wait}`);
  const res = await fetch(`${server.url}/chat/api/messages?${query}`, {
    headers: { ...(cookie ? { Cookie: cookie } : {}), ...headers },
  });
  const text = await res.text();
  let body = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body };
}

/**
 * Opens /chat/ws?after=…; resolves once open to a feed that collects every pushed frame, or
 * rejects with {statusCode} when the server refuses the upgrade.
 */
export function openFeed(server, { cookie, after = 0, origin, session } = {}) {
  const url = new URL(`/chat/ws?after=${after}`, server.url.replace(/^http/, 'ws'));
  if (session) url.searchParams.set('session', session);
  const headers = cookie ? { Cookie: cookie } : {};
  const socket = new WebSocket(url, { headers, ...(origin ? { origin } : {}) });
  const frames = [];
  const waiters = [];
  let closed = null;
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const w of waiters.splice(0)) w();
  });
  socket.on('close', (code) => {
    closed = { code };
    for (const w of waiters.splice(0)) w();
  });
  const feed = {
    socket,
    frames,
    get closed() { return closed; },
    /** Every message pushed so far, in order. */
    messages() { return frames.flatMap((f) => f.messages ?? []); },
    /** Waits until `ready()` holds, at most `ms`. */
    async until(ready, ms = 5000, what = 'a push') {
      const deadline = Date.now() + ms;
      while (!ready()) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames)}`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
    close() {
      socket.close();
      return feed.until(() => closed !== null, 5000, 'the close');
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(feed));
    socket.once('unexpected-response', (req, res) => {
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { statusCode: res.statusCode }));
      req.destroy();
    });
    socket.once('error', reject);
  });
}
