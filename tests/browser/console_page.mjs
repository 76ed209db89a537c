// Helpers for the console's browser tests: pages that record their problems, login, agents.
import assert from 'node:assert/strict';
import { runCli } from '../e2e/harness.mjs';

export const waitMs = 10000; // every wait in the console tests is bounded by this

/** Creates staff user `name` with `role` and `password` through the CLI. */
export async function createUser(server, name, password, role = 'agent') {
  const out = await runCli(['create-user', '--role', role, '--name', name, '--password-stdin',
    '--config', server.configFile], { input: `${password}\n` });
  assert.equal(out.code, 0, out.stderr);
}

/** A new page in `ctx` that records console errors, uncaught exceptions and dialogs. */
export async function newPage(ctx) {
  const page = await ctx.browser.newPage();
  page.setDefaultTimeout(waitMs);
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(m.text()); });
  page.on('pageerror', (e) => page.problems.push(e.message));
  page.on('dialog', (d) => { page.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  return page;
}

/** Problems other than the failed loads a test provokes (401 before login, refused changes). */
export function unexpected(page) {
  return page.problems.filter((p) => !/Failed to load resource: .* (401|404|409|422) /.test(p));
}

/** Logs `name` in on a fresh session and waits for the queue's first row. */
export async function logIn(page, server, name, password, query = '') {
  await page.context().clearCookies(); // a fresh session, whatever an earlier test left
  await page.goto(`${server.url}/console/${query}`);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#queue-body tr').first().waitFor();
}

/** Closes the browsers (launchBrowser contexts), then the servers (anything with close()). */
export async function closeAll(browsers, servers) {
  for (const ctx of browsers) {
    await ctx?.browser.close();
    ctx?.cleanup();
  }
  for (const server of servers) await server?.close();
}
