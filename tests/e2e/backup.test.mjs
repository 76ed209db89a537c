// `civicline backup PATH` while the server runs and takes reports: the copy is a consistent
// SQLite file with everything acknowledged before the backup began, and a server started on
// it (the documented restore: stop, copy the backup into place, start) serves those requests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { makeTempDir, runCli, startServer } from './harness.mjs';
import { chatReport } from './residents.mjs';

const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sqlite = (file, query) => execFileSync('sqlite3', [file, query]).toString().trim();

test('a backup taken while the server runs restores to a server with the same requests', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const ids = [];
  for (const place of ['100 W Main St', '200 E Broadway Rd', '300 N Center St']) {
    ids.push(await chatReport(server, `there is a pothole at ${place}, it is deep`));
  }
  const out = makeTempDir();
  cleanups.push(() => out.cleanup());
  const target = path.join(out.dir, 'nightly.db');
  // Reports keep arriving during the backup: the copy must still be one consistent snapshot.
  const during = chatReport(server, 'there is a pothole at 400 S Alma School Rd, it is deep');
  const backup = await runCli(['backup', target, '--config', server.configFile]);
  await during;
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /backed up .* to .*nightly\.db: \d+ pages, \d+ bytes, schema version \d+/);
  assert.equal(sqlite(target, 'PRAGMA integrity_check'), 'ok');
  const copied = sqlite(target, 'SELECT tracking_id FROM service_requests ORDER BY id').split('\n');
  for (const id of ids) assert.ok(copied.includes(id), `${id} is in the backup`);
  assert.deepEqual(readdirSync(out.dir), ['nightly.db'], 'no partial file is left');

  // Restore: a new server on a copy of the backup serves the requests.
  const restored = makeTempDir();
  cleanups.push(() => restored.cleanup());
  copyFileSync(target, path.join(restored.dir, 'civicline.db'));
  const second = await startServer({ dir: restored.dir });
  cleanups.push(() => second.stop());
  for (const id of ids) {
    const res = await fetch(`${second.url}/r/${id}.json`);
    assert.equal(res.status, 200, `${id} after the restore`);
  }
});

test('backup refuses the database itself and a missing directory, and leaves nothing behind', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  const onItself = await runCli(['backup', path.join(server.dir, 'civicline.db'), '--config', server.configFile]);
  assert.equal(onItself.code, 64);
  assert.match(onItself.stderr, /is the database itself/);
  const missing = path.join(server.dir, 'no-such-dir', 'b.db');
  const noDir = await runCli(['backup', missing, '--config', server.configFile]);
  assert.equal(noDir.code, 74);
  assert.match(noDir.stderr, /does not exist; create it or choose another path/);
  assert.equal(existsSync(missing), false);
  const noPath = await runCli(['backup', '--config', server.configFile]);
  assert.equal(noPath.code, 64);
});
