// The staff REST API as the console uses it: JSON in and out, the session cookie sent by the
// browser, and the CSRF token (kept in memory only) on every state-changing call.

let csrfToken = null;

/** An answer other than 2xx: `status`, the API's error `code` and its `message`. */
export class ApiError extends Error {
  constructor(status, code, message, refused = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.refused = refused; // the bulk endpoint's list of requests that refused the change
  }
}

/** Calls `method path` with an optional JSON body; resolves to the parsed answer (or null). */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    // Most errors are {"error": {code, message}}; a refused bulk change is
    // {"error": "bulk_refused", "message", "refused": [...]}.
    const flat = data && typeof data.error === 'string';
    const error = flat ? { code: data.error, message: data.message } : (data?.error ?? {});
    throw new ApiError(response.status, error.code ?? 'http_error',
      error.message ?? `The server answered ${response.status}.`, flat ? (data.refused ?? []) : []);
  }
  return data;
}

/** The current session (and its CSRF token), or null when not logged in. */
export async function currentSession() {
  try {
    const session = await call('GET', '/api/v1/session');
    csrfToken = session.csrf_token ?? null;
    return session;
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

/** Logs in; resolves to the session. */
export async function login(name, password) {
  const session = await call('POST', '/api/v1/session', { name, password });
  csrfToken = session.csrf_token;
  return session;
}

/** Ends the session. */
export async function logout() {
  try {
    await call('DELETE', '/api/v1/session');
  } finally {
    csrfToken = null;
  }
}

/** One page of the queue for these API query parameters (a URLSearchParams). */
export function listRequests(params) {
  const query = params.toString();
  return call('GET', `/api/v1/requests${query ? `?${query}` : ''}`);
}

/** The full detail of one request. */
export function getRequest(id) {
  return call('GET', `/api/v1/requests/${encodeURIComponent(id)}`);
}

/** Changes status and/or adds notes; resolves to the updated detail. */
export function patchRequest(id, changes) {
  return call('PATCH', `/api/v1/requests/${encodeURIComponent(id)}`, changes);
}

/** Merges duplicate `id` into the original `into`; resolves to the duplicate's detail. */
export function mergeRequest(id, into) {
  return call('POST', `/api/v1/requests/${encodeURIComponent(id)}/merge`, { into });
}

/** One change to up to 500 requests, all or nothing. */
export function bulkChange(ids, changes) {
  return call('POST', '/api/v1/requests/bulk', { ids, ...changes });
}

/** Supervisors: the queue at a glance. */
export function stats() {
  return call('GET', '/api/v1/stats');
}

/** The open handoffs, oldest first. */
export function listHandoffs() {
  return call('GET', '/api/v1/handoffs');
}

/** One handoff with its conversation. */
export function getHandoff(id) {
  return call('GET', `/api/v1/handoffs/${encodeURIComponent(id)}`);
}

/** Answers the resident on their channel. */
export function replyToHandoff(id, text) {
  return call('POST', `/api/v1/handoffs/${encodeURIComponent(id)}/replies`, { text });
}

/** Gives the conversation back to the bot. */
export function closeHandoff(id) {
  return call('POST', `/api/v1/handoffs/${encodeURIComponent(id)}/close`);
}
