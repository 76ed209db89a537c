// Starts the real civicline binary on an ephemeral port with a temporary
// database and config, waits until it is ready, and stops it afterwards.
// Every end-to-end test talks to the server through this helper.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const sourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binary = process.env.CIVICLINE_BIN ?? path.join(sourceDir, 'build/release/server/civicline');
export const demoConfig = JSON.parse(readFileSync(path.join(sourceDir, 'config/civicline.json'), 'utf8'));

const startTimeoutMs = 15000;

/** Returns `base` with `overrides` merged in (objects merge, everything else replaces). */
export function merge(base, overrides) {
  if (overrides === undefined) return structuredClone(base);
  if (typeof base !== 'object' || base === null || Array.isArray(base) ||
      typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    return structuredClone(overrides);
  }
  const out = structuredClone(base);
  for (const [key, value] of Object.entries(overrides)) out[key] = merge(base[key], value);
  return out;
}

/** A fresh directory under the system temp dir, removed by the returned cleanup. */
export function makeTempDir(prefix = 'civicline-test-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes the demo config with `overrides` into `dir`, pointing at a database in `dir`. */
export function writeConfig(dir, overrides = {}) {
  const config = merge(merge(demoConfig, {
    server: { listen: '127.0.0.1:0' },
    storage: { database: path.join(dir, 'civicline.db') },
    content: { rule_packs: path.join(sourceDir, 'config/nlp'), templates: path.join(sourceDir, 'config/templates') },
    // Every test visitor comes from 127.0.0.1; the chat tests that check the limits set them.
    chat: { max_messages_per_minute_per_session: 0, max_messages_per_minute_per_ip: 0 },
  }), overrides);
  const file = path.join(dir, 'civicline.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Runs `civicline args...` to completion; resolves {code, signal, stdout, stderr}. */
export function runCli(args, { env = {}, input, timeoutMs = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`civicline ${args.join(' ')} timed out`)); }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
    child.stdin.on('error', () => {});  // a command that never reads stdin may exit first
    child.stdin.end(input ?? '');
  });
}

/**
 * Starts `civicline serve` and resolves once /readyz answers 200.
 * Options: overrides (merged into the demo config), env, dir (reuse a data dir), args,
 * launcher (a command the binary and its arguments are appended to, e.g. a shell that lowers
 * a limit first: ['sh', '-c', 'ulimit -n 160 && exec "$@"', 'sh']).
 */
export async function startServer({ overrides = {}, env = {}, dir, args = [], launcher } = {}) {
  const temp = dir ? { dir, cleanup: () => {} } : makeTempDir();
  const configFile = writeConfig(temp.dir, overrides);
  const serveArgs = ['serve', '--config', configFile, ...args];
  const [command, ...commandArgs] = launcher ? [...launcher, binary, ...serveArgs] : [binary, ...serveArgs];
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = {
    child, dir: temp.dir, configFile, stdout: '', stderr: '', url: undefined,
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    /** Log lines (parsed JSON) written so far. */
    events() {
      return this.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    },
    /** Sends `signal` and resolves with the exit {code, signal}; SIGKILLs after `timeoutMs`. */
    async stop(signal = 'SIGTERM', timeoutMs = 15000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await server.exited;
      clearTimeout(timer);
      return result;
    },
    async close() {
      await server.stop();
      temp.cleanup();
    },
  };
  child.stdout.on('data', (d) => { server.stdout += d; });
  child.stderr.on('data', (d) => { server.stderr += d; });

  const deadline = Date.now() + startTimeoutMs;
  while (!server.url) {
    const listening = server.events().find((e) => e.event === 'listening');
    if (listening) server.url = listening.url;
    else if (child.exitCode !== null) throw new Error(`civicline exited with ${child.exitCode}:\n${server.stderr}`);
    else if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`civicline did not start:\n${server.stderr}`); }
    else await new Promise((r) => setTimeout(r, 20));
  }
  server.port = Number(new URL(server.url).port);
  while ((await fetch(`${server.url}/readyz`).catch(() => ({ status: 0 }))).status !== 200) {
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error('civicline never became ready'); }
    await new Promise((r) => setTimeout(r, 20));
  }
  return server;
}

/** Polls `check` every 50 ms until it returns something truthy (resolved to it), or throws
 * "timed out waiting for <what>" after `timeoutMs`. Every wait in the tests is bounded. */
export async function waitFor(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
