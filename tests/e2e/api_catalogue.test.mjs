// The /api/v1 routes, the OpenAPI document and the authentication rule agree: every route the
// server registers (read from server/routes/*.cpp) is documented in docs/openapi.yaml and
// nothing documented is missing from the server; and every route but logging in answers 401
// to a caller without credentials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sourceDir, startServer } from './harness.mjs';

/** "METHOD /path" for every routes.add("METHOD", "/api/v1/...") in the route sources. */
function registeredRoutes() {
  const dir = path.join(sourceDir, 'server/routes');
  const routes = new Set();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpp'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/routes\.add\(\s*"([A-Z]+)",\s*"(\/api\/v1\/[^"]*)"/g)) routes.add(`${m[1]} ${m[2]}`);
  }
  return routes;
}

/** "METHOD /path" for every operation under `paths:` in docs/openapi.yaml (2-space YAML). */
function documentedRoutes() {
  const lines = readFileSync(path.join(sourceDir, 'docs/openapi.yaml'), 'utf8').split('\n');
  const routes = new Set();
  let inPaths = false, current;
  for (const line of lines) {
    if (/^\S/.test(line)) inPaths = line.startsWith('paths:');
    if (!inPaths) continue;
    const p = line.match(/^ {2}(\/\S+):\s*$/);
    if (p) current = p[1];
    const op = line.match(/^ {4}(get|post|put|patch|delete):/);
    if (op && current) routes.add(`${op[1].toUpperCase()} ${current}`);
  }
  return routes;
}

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

test('every /api/v1 route is in docs/openapi.yaml, and nothing else is', () => {
  const registered = registeredRoutes();
  const documented = documentedRoutes();
  assert.ok(registered.size >= 30, `found only ${registered.size} routes: is the pattern stale?`);
  assert.deepEqual([...registered].filter((r) => !documented.has(r)).sort(), [], 'registered but not documented');
  assert.deepEqual([...documented].filter((r) => !registered.has(r)).sort(), [], 'documented but not registered');
});

test('every /api/v1 route but logging in refuses a caller without credentials', async () => {
  const open = new Set(['POST /api/v1/session', 'DELETE /api/v1/session']);
  for (const route of registeredRoutes()) {
    if (open.has(route)) continue;
    const [method, pattern] = route.split(' ');
    const url = pattern.replace(/\{[^}]+\}/g, '1');
    const res = await fetch(`${server.url}${url}`, {
      method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
    });
    await res.arrayBuffer();
    assert.equal(res.status, 401, route);
  }
});
