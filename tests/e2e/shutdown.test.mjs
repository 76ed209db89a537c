// SIGTERM in the middle of a burst of writes: the process exits 0 and every
// write it acknowledged is in the database afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTempDir, startServer } from './harness.mjs';

const writers = 24;
const burstMs = 600;       // at least this long a burst...
const minimumWrites = 60;  // ...and until this many were acknowledged (a slow machine needs longer)
const burstLimitMs = 10000;

test('SIGTERM during a burst of writes loses no acknowledged write', async () => {
  const temp = makeTempDir();
  const overrides = { diagnostics: { write_probe: true }, log: { access_log: false } };
  try {
    const server = await startServer({ dir: temp.dir, overrides });
    const acknowledged = [];
    let attempts = 0;
    let stopping = false;
    const writer = async (w) => {
      for (let i = 0; !stopping || i < 3; ++i) {
        const key = `w${w}-${i}`;
        ++attempts;
        try {
          const res = await fetch(`${server.url}/_diag/write-probes`, {
            method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ key, payload: { w, i } }),
          });
          if (res.status === 201) acknowledged.push(key);
          else await res.arrayBuffer();
        } catch {
          return;  // the server closed the door: no acknowledgement, nothing promised
        }
      }
    };
    const load = Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    const started = Date.now();
    await new Promise((r) => setTimeout(r, burstMs));
    while (acknowledged.length < minimumWrites && Date.now() - started < burstLimitMs) {
      await new Promise((r) => setTimeout(r, 20));
    }
    stopping = true;
    const exit = await server.stop('SIGTERM');
    await load;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(acknowledged.length > 50, `only ${acknowledged.length} writes acknowledged of ${attempts}`);
    assert.ok(server.events().some((e) => e.event === 'stopped'));

    const again = await startServer({ dir: temp.dir, overrides });
    try {
      const missing = [];
      for (const key of acknowledged) {
        const res = await fetch(`${again.url}/_diag/write-probes/${key}`);
        if (res.status !== 200) missing.push(key);
        await res.arrayBuffer();
      }
      assert.deepEqual(missing, [], `${missing.length} acknowledged writes missing`);
    } finally {
      await again.stop();
    }
  } finally {
    temp.cleanup();
  }
});

test('SIGINT stops the server cleanly too', async () => {
  const server = await startServer();
  try {
    const exit = await server.stop('SIGINT');
    assert.deepEqual(exit, { code: 0, signal: null });
  } finally {
    await server.close();
  }
});

test('SIGHUP reloads the config and keeps serving; a broken file is reported and ignored', async () => {
  const server = await startServer();
  try {
    server.child.kill('SIGHUP');
    await waitFor(() => server.events().some((e) => e.event === 'config_reloaded'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(server.configFile, '{ not json');
    server.child.kill('SIGHUP');
    await waitFor(() => server.events().some((e) => e.event === 'config_reload_failed'));
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
  }
});

async function waitFor(predicate, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
