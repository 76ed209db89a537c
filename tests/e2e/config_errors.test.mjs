// `civicline serve` refuses a bad config before it opens any port, and says
// which JSON path is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { demoConfig, makeTempDir, merge, runCli, writeConfig, startServer } from './harness.mjs';

const bareCategory = demoConfig.categories[0];

const cases = [
  { name: 'a negative port', overrides: { server: { listen: '127.0.0.1:-1' } }, expect: /server\.listen/ },
  { name: 'a port above 65535', overrides: { server: { listen: '127.0.0.1:70000' } }, expect: /server\.listen/ },
  { name: 'an unknown top-level key', overrides: { serverr: {} }, expect: /serverr: unknown key/ },
  { name: 'an unknown nested key', overrides: { http: { max_bodyy: 5 } }, expect: /http\.max_bodyy: unknown key/ },
  { name: 'a string where a number belongs', overrides: { http: { max_body_bytes: 'lots' } }, expect: /http\.max_body_bytes/ },
  { name: 'a zero SLA', overrides: { categories: [{ ...bareCategory, sla_hours: 0 }] }, expect: /categories\[0\]\.sla_hours/ },
  { name: 'duplicate category codes', overrides: { categories: [bareCategory, bareCategory] }, expect: /categories\[1\]\.code/ },
  { name: 'a category without its Spanish name', overrides: { categories: [{ ...bareCategory, name: { en: 'Pothole' } }] }, expect: /categories\[0\]\.name/ },
  { name: 'a bad log level', overrides: { log: { level: 'loud' } }, expect: /log\.level/ },
  { name: 'a public URL that is not http(s)', overrides: { server: { public_base_url: 'ftp://city' } }, expect: /server\.public_base_url/ },
  { name: 'zero readers', overrides: { storage: { readers: 0 } }, expect: /storage\.readers/ },
  { name: 'no categories', overrides: { categories: [] }, expect: /categories/ },
];

for (const c of cases) {
  test(`serve refuses ${c.name}, naming the path`, async () => {
    const temp = makeTempDir();
    try {
      const file = writeConfig(temp.dir, c.overrides);
      const { code, stdout, stderr } = await runCli(['serve', '--config', file]);
      assert.notEqual(code, 0);
      assert.equal(code, 78, 'EX_CONFIG');
      assert.match(stderr, c.expect);
      assert.ok(!stdout.includes('"listening"'), 'no port was opened');
    } finally {
      temp.cleanup();
    }
  });
}

test('serve refuses a missing config file, naming it', async () => {
  const { code, stderr } = await runCli(['serve', '--config', '/nonexistent/civicline.json']);
  assert.equal(code, 78);
  assert.match(stderr, /\/nonexistent\/civicline\.json/);
});

test('serve refuses malformed JSON with its line number', async () => {
  const temp = makeTempDir();
  try {
    const file = path.join(temp.dir, 'bad.json');
    writeFileSync(file, '{\n  "city": {\n    "name": "X",\n  }\n}\n');
    const { code, stderr } = await runCli(['serve', '--config', file]);
    assert.equal(code, 78);
    assert.match(stderr, /line 4/);
  } finally {
    temp.cleanup();
  }
});

test('every problem in a file is reported at once', async () => {
  const temp = makeTempDir();
  try {
    const file = writeConfig(temp.dir, { log: { level: 'loud' }, storage: { readers: 0 } });
    const { stderr } = await runCli(['serve', '--config', file]);
    assert.match(stderr, /log\.level/);
    assert.match(stderr, /storage\.readers/);
  } finally {
    temp.cleanup();
  }
});

test('a bad --listen is refused like the config key it overrides', async () => {
  const temp = makeTempDir();
  try {
    const file = writeConfig(temp.dir);
    const { code, stderr } = await runCli(['serve', '--config', file, '--listen', 'nowhere']);
    assert.equal(code, 78);
    assert.match(stderr, /CIVICLINE_LISTEN/);
  } finally {
    temp.cleanup();
  }
});

test('a port in use is reported with what to do', async () => {
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const temp = makeTempDir();
  try {
    const file = writeConfig(temp.dir);
    const { code, stderr } = await runCli(['serve', '--config', file, '--listen', `127.0.0.1:${blocker.address().port}`]);
    assert.equal(code, 69);
    assert.match(stderr, /cannot listen on 127\.0\.0\.1:\d+/);
  } finally {
    blocker.close();
    temp.cleanup();
  }
});

test('--db and CIVICLINE_DB override the config file', async () => {
  const temp = makeTempDir();
  try {
    const file = writeConfig(temp.dir);
    const viaFlag = path.join(temp.dir, 'flag.db');
    const migrated = await runCli(['migrate', '--config', file, '--db', viaFlag]);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /flag\.db is at schema version [1-9]/);
    const viaEnv = path.join(temp.dir, 'env.db');
    const fromEnv = await runCli(['migrate', '--config', file], { env: { CIVICLINE_DB: viaEnv } });
    assert.match(fromEnv.stdout, /env\.db is at schema version/);
  } finally {
    temp.cleanup();
  }
});

test('the diagnostics write probe is off unless the config enables it', async () => {
  const server = await startServer();
  try {
    const res = await fetch(`${server.url}/_diag/write-probes`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"key":"x"}',
    });
    assert.equal(res.status, 404);
  } finally {
    await server.close();
  }
});

test('version and --help work', async () => {
  const version = await runCli(['version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^civicline \d+\.\d+\.\d+/);
  for (const args of [['--help'], ['serve', '--help'], ['migrate', '--help']]) {
    const help = await runCli(args);
    assert.equal(help.code, 0, args.join(' '));
    assert.match(help.stdout, /--config|serve/);
  }
  const unknown = await runCli(['frobnicate']);
  assert.notEqual(unknown.code, 0);
});

// Kept next to the cases above so a reader sees the input they are built from.
test('the demo config itself is valid', async () => {
  const temp = makeTempDir();
  try {
    const file = writeConfig(temp.dir, merge({}, {}));
    const { code, stderr } = await runCli(['migrate', '--config', file]);
    assert.equal(code, 0, stderr);
  } finally {
    temp.cleanup();
  }
});
