// What the local runtime keeps for each Durable Object: the plain-JavaScript reference worker
// (tests/bench/reference) reads N distinct objects once each; workerd's memory before, after,
// and after 30 s idle. `node tests/stress/objects.mjs [N]` (3,000 by default).
import { startWorker, runtimePid, rssKb } from '../support/worker.mjs';

const N = Number(process.argv[2] ?? 3000);
const config = new URL('../bench/reference/bare.toml', import.meta.url).pathname;
const worker = await startWorker({}, { config, env: null, expectStatus: 404 });
try {
  const pid = runtimePid(worker);
  const read = (name) => fetch(`${worker.base}/object?n=${name}`).then((r) => r.text());
  for (let i = 0; i < 50; i++) await read(`warm-${i}`);
  const before = rssKb(pid);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => { while (next < N) await read(`o-${next++}`); }));
  const after = rssKb(pid);
  await new Promise((r) => setTimeout(r, 30_000));
  const idle = rssKb(pid);
  const mb = (kb) => Math.round(kb / 1024);
  console.log(`${N} objects: workerd ${mb(before)} -> ${mb(after)} MB (${Math.round((after - before) / N)} KB each), ${mb(idle)} MB after 30 s idle`);
} finally {
  await worker.stop();
}
