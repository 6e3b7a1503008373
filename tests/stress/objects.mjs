// What the local runtime keeps for each Durable Object: the plain-JavaScript reference worker
// (tests/bench/reference) reads N distinct objects once each; workerd's memory before, after,
// and after 30 s idle. `node tests/stress/objects.mjs [N]` (3,000 by default). The soak measures
// the same in its own run, with `runtimeObjectCost`.
import { runtimeObjectCost } from './harness.mjs';

const N = Number(process.argv[2] ?? 3000);
const c = await runtimeObjectCost(N, { idleMs: 30_000 });
const mb = (kb) => Math.round(kb / 1024);
console.log(`${N} objects: workerd ${mb(c.beforeKb)} -> ${mb(c.afterKb)} MB (${c.kbPerObject} KB each), ${mb(c.idleKb)} MB after 30 s idle`);
