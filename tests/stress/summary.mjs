// Collects the stress tests' one-line summaries (`STRESS {json}`, wherever they are in a line
// of the test runner's output) into a Markdown table, one row per test:
//
//   node --experimental-websocket --test --test-concurrency=1 tests/stress/ | tee stress.log
//   node tests/stress/summary.mjs < stress.log
import { createInterface } from 'node:readline';

const rows = [];
for await (const line of createInterface({ input: process.stdin })) {
  const at = line.indexOf('STRESS {');
  if (at < 0) continue;
  try { rows.push(JSON.parse(line.slice(at + 'STRESS '.length))); } catch { /* a line cut short */ }
}

const shown = (v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
console.log('| test | scale | figures |');
console.log('|---|---|---|');
for (const { test, scale, ...figures } of rows) {
  const cells = Object.entries(figures).map(([k, v]) => `${k} ${shown(v)}`).join(', ');
  console.log(`| ${test} | ${scale} | ${cells.replaceAll('|', '\\|')} |`);
}
