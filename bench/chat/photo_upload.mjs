// Upload latency of one photo, ten times in a row, against the release binary:
//   node bench/chat/photo_upload.mjs <photo.jpg>
// Each request: sniff, thumbnail (decode at reduced scale, shrink to 640 px, encode) on the
// thumbnail thread, two files written and fsynced, the row committed.
import { readFileSync } from 'node:fs';
import { startServer } from '../../tests/e2e/harness.mjs';
const photo = readFileSync(process.argv[2]);
const server = await startServer();
const times = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  const res = await fetch(`${server.url}/chat/api/attachments`, { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: photo });
  await res.text();
  if (res.status !== 201) throw new Error(`status ${res.status}`);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`${photo.length} bytes, 10 uploads: median ${times[5].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[9].toFixed(1)} ms`);
await server.close();
