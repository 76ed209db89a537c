#!/usr/bin/env node
// Compares civicline's rule-based NLP with nlp.js (node-nlp) on the same labelled data, in
// the same run. node-nlp is trained on the examples written in civicline's rule packs
// (config/nlp/*.json, "categories.<id>.examples"), so both sides learn from the same data.
//
//   cd bench/nlp && npm ci
//   node compare.js --data ../../../shared/data/311/real_311_normalised.csv \
//        --civicline ../../build/release/server/civicline --rules ../../config/nlp
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { NlpManager } = require('node-nlp');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// RFC 4180 CSV: quoted fields, "" inside quotes, newlines inside quotes.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const header = rows.shift();
  const t = header.indexOf('text');
  const c = header.indexOf('category');
  return rows.filter((r) => r.length > Math.max(t, c)).map((r) => ({ text: r[t], category: r[c] }));
}

async function main() {
  const data = arg('data', '../../../shared/data/311/real_311_normalised.csv');
  const rules = arg('rules', '../../config/nlp');
  const civicline = arg('civicline', '');
  const messages = parseCsv(fs.readFileSync(data, 'utf8'));

  const manager = new NlpManager({
    languages: ['en', 'es'], forceNER: false, autoSave: false, nlu: { log: false },
  });
  let examples = 0;
  for (const file of ['en.json', 'es.json']) {
    const pack = JSON.parse(fs.readFileSync(path.join(rules, file), 'utf8'));
    for (const [id, body] of Object.entries(pack.categories)) {
      for (const example of body.examples || []) {
        manager.addDocument(pack.language, example, id);
        examples++;
      }
    }
  }
  let start = process.hrtime.bigint();
  await manager.train();
  const trainMs = Number(process.hrtime.bigint() - start) / 1e6;

  let right = 0;
  start = process.hrtime.bigint();
  for (const m of messages) {
    // The data is English; telling node-nlp so spares it language guessing.
    const result = await manager.process('en', m.text);
    const predicted = !result.intent || result.intent === 'None' ? 'other' : result.intent;
    if (predicted === m.category) right++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rows = [{
    system: `node-nlp ${require('node-nlp/package.json').version} (trained on ${examples} rule-pack examples in ${trainMs.toFixed(0)} ms)`,
    accuracy: right / messages.length,
    perSecond: messages.length / seconds,
  }];

  if (civicline) {
    const out = execFileSync(civicline, ['eval', '--rules', rules, data], { encoding: 'utf8' });
    const acc = /category accuracy: ([0-9.]+)/.exec(out);
    const speed = /\(([0-9]+) messages\/s/.exec(out);
    rows.push({
      system: 'civicline eval (rule packs, C++)',
      accuracy: acc ? Number(acc[1]) : NaN,
      perSecond: speed ? Number(speed[1]) : NaN,
    });
  }
  console.log(`${messages.length} messages from ${path.basename(data)}, one thread each\n`);
  console.log('| system | category accuracy | messages/s |');
  console.log('|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.system} | ${(100 * r.accuracy).toFixed(1)}% | ${Math.round(r.perSecond)} |`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
