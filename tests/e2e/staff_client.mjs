// A staff member's client for end-to-end tests: the REST API with an API key or a login
// session (cookie + CSRF token), and the CLI commands an operator runs.
import assert from 'node:assert/strict';
import { runCli } from './harness.mjs';

/** `server` is a function returning the running server (it may be restarted). */
export function staffClient(server) {
  const client = {
    /** Calls the API; `auth` is {key} or {session} (from login()); resolves to {status, headers, body, text}. */
    async api(method, route, { auth, body, raw, csrf = true, headers = {} } = {}) {
      const h = { ...headers };
      if (auth?.key) h.Authorization = `Bearer ${auth.key}`;
      if (auth?.session) {
        h.Cookie = auth.session.cookie;
        if (csrf && method !== 'GET') h['X-CSRF-Token'] = auth.session.csrf;
      }
      if (body !== undefined || raw !== undefined) h['Content-Type'] ??= 'application/json';
      const res = await fetch(`${server().url}${route}`, {
        method, headers: h, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await res.text();
      let parsed = text;
      try { parsed = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },

    /** Logs in; resolves to {cookie, csrf, setCookie, body}. */
    async login(name, password) {
      const res = await client.api('POST', '/api/v1/session', { body: { name, password } });
      assert.equal(res.status, 200, res.text);
      const setCookie = res.headers.get('set-cookie');
      return { cookie: setCookie.split(';')[0], csrf: res.body.csrf_token, setCookie, body: res.body };
    },

    /** Runs a civicline command on the server's config; resolves to its stdout (exit 0 asserted). */
    async cli(args, input) {
      const out = await runCli([...args, '--config', server().configFile], { input });
      assert.equal(out.code, 0, out.stderr);
      return out.stdout;
    },

    /** Creates an API key with `role`; resolves to the key. */
    async createKey(role, name = `${role}-key`) {
      return (await client.cli(['create-api-key', '--role', role, '--name', name])).trim().split('\n').at(-1);
    },

    /** Creates a user with `role`; resolves to the generated password. */
    async createUser(role, name) {
      return (await client.cli(['create-user', '--role', role, '--name', name])).trim().split('\n').at(-1);
    },
  };
  return client;
}
