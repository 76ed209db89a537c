// Live updates: server-sent events from GET /api/v1/events when the browser and server have
// them; polling every 3 seconds when they do not. Events are debounced so a burst (a bulk
// change of 500 requests) costs one refresh. EventSource reconnects by itself (sending
// Last-Event-ID) when the stream ends; only repeated failures fall back to polling, and the
// stream is tried again a minute later.
const EVENTS_URL = '/api/v1/events';
const TYPES = ['request.created', 'request.updated', 'request.status_changed', 'request.note_added', 'request.merged'];
const POLL_MS = 3000;
const DEBOUNCE_MS = 250;
const MAX_ERRORS = 3;
const RETRY_MS = 60000;

export function createLive({ onEvent, refresh, metrics }) {
  let source = null;
  let pollTimer = null;
  let retryTimer = null;
  let debounceTimer = null;
  let errors = 0;
  const pending = [];

  function mode(name) {
    metrics.live = name;
  }

  function startPolling() {
    if (!pollTimer) pollTimer = setInterval(refresh, POLL_MS);
    mode('polling');
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  function flush() {
    debounceTimer = null;
    onEvent(pending.splice(0)); // one refresh for the whole burst
  }

  function received(message) {
    let data = {};
    try { data = JSON.parse(message.data); } catch { /* an event without JSON still means "refresh" */ }
    pending.push(data);
    if (!debounceTimer) debounceTimer = setTimeout(flush, DEBOUNCE_MS);
  }

  function connect() {
    retryTimer = null;
    if (typeof EventSource !== 'function') { startPolling(); return; }
    source = new EventSource(EVENTS_URL);
    source.addEventListener('open', () => {
      // After polling, catch up once; a reconnect needs nothing: the server replays what
      // came after Last-Event-ID.
      if (pollTimer) refresh();
      errors = 0;
      stopPolling();
      mode('events');
    });
    for (const type of TYPES) source.addEventListener(type, received);
    source.addEventListener('error', () => {
      errors += 1;
      if (source.readyState !== EventSource.CLOSED && errors < MAX_ERRORS) return; // it reconnects
      source.close();
      source = null;
      startPolling();
      retryTimer = setTimeout(connect, RETRY_MS);
    });
  }

  function start() {
    stop();
    errors = 0;
    connect();
  }

  function stop() {
    source?.close();
    source = null;
    stopPolling();
    clearTimeout(retryTimer);
    clearTimeout(debounceTimer);
    retryTimer = debounceTimer = null;
    pending.length = 0;
    mode('off');
  }

  return { start, stop };
}
