// `cargo xtask bench` (after it has built everything): the worker's throughput, latency and CPU
// per request under wrk, against a plain-JavaScript reference worker measured in the same run;
// the worker's wasm size and its largest parts; the widget's download. Prints one table and
// writes it as JSON (argument 1, or bench.json here). The workers' state is on disk
// (TOLLGATE_BENCH_STATE=memory: in memory; see `startWorker`'s `inMemory`).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorker, client, workerdProcesses, directBase, BENCH_IN_MEMORY } from '../support/worker.mjs';

/** The worker as wrk reaches it (see VIA); the rest of `worker` is kept for its processes. */
async function reach(worker, health) {
  return VIA === 'proxy' ? worker : { ...worker, base: await directBase(worker, health) };
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECONDS = Number(process.env.TOLLGATE_BENCH_SECONDS ?? 10);
// Where wrk sends its requests: workerd's own socket (the default), or wrangler's dev proxy in
// front of it (`proxy`), a single object every request goes through that a deployment does not
// have, and which costs more CPU than most of Tollgate's requests.
const VIA = process.env.TOLLGATE_BENCH_VIA === 'proxy' ? 'proxy' : 'workerd';
const CONNECTIONS = 32;
const out = process.argv[2] ?? join(root, 'bench.json');

/** CPU seconds the worker's workerd processes (wrangler's proxy and the runtime) have used. */
function cpuSeconds(worker) {
  let ticks = 0;
  for (const { pid } of workerdProcesses(worker)) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime in clock ticks (100 Hz)
  }
  return ticks / 100;
}

/** The reference worker under `wrangler dev`, deployed as `config` says (it has no /v1/health: 404). */
function startReference(config) {
  return startWorker({}, { config: join(root, 'tests/bench/reference', config), env: null, expectStatus: 404, inMemory: BENCH_IN_MEMORY });
}

/** wrk against `url` (a Lua script for bodies and headers); requests/s, p50/p99 ms, errors, CPU ms per request. */
function wrk(target, path, { script, headers = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-wrk-'));
  const report = join(dir, 'report.lua');
  writeFileSync(report, `${script ?? ''}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %.3f %.3f %d %d %d %d\\n", summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status, summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
`);
  const cpu0 = cpuSeconds(target);
  const args = ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', report];
  for (const h of headers) args.push('-H', h);
  const text = execFileSync('wrk', [...args, target.base + path], { encoding: 'utf8' });
  const cpu = cpuSeconds(target) - cpu0;
  rmSync(dir, { recursive: true, force: true });
  const [requests, socketErrors, statusErrors, micros, p50, p99, connect, read, write, timeout] = text.match(/RESULT (.*)/)[1].split(' ').map(Number);
  // Which errors: a 4xx/5xx answer (status), or wrk's own socket errors (a request still waiting
  // after wrk's 2 s timeout, a connection the runtime closed).
  const kinds = Object.fromEntries(Object.entries({ status: statusErrors, connect, read, write, timeout }).filter(([, n]) => n));
  return { rps: Math.round(requests / (micros / 1e6)), p50_ms: p50, p99_ms: p99, errors: socketErrors + statusErrors, error_kinds: kinds, cpu_ms_per_request: +((cpu * 1000) / requests).toFixed(2) };
}

const post = (body) => `wrk.method = "POST"\nwrk.body = '${JSON.stringify(body)}'\nwrk.headers["Content-Type"] = "application/json"\n`;
// A different client address per request, as real buyers have: no single one is rate limited.
const distinctClients = `local n = 0\nrequest = function()\n  n = n + 1\n  wrk.headers["CF-Connecting-IP"] = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)\n  return wrk.format()\nend\n`;

function gz(path) {
  const raw = readFileSync(path);
  return { raw: raw.length, gzipped: gzipSync(raw, { level: 9 }).length };
}

/**
 * The worker wasm's largest parts by crate, from twiggy on the release build before wasm-bindgen
 * and wasm-opt (which keeps names). Name and custom sections, which the shipped file does not
 * have, are left out of the shares.
 */
function contributors() {
  const wasm = join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'wasm32-unknown-unknown/release/worker_app.wasm');
  if (!existsSync(wasm)) return [];
  const csv = execFileSync('twiggy', ['top', '--format', 'csv', '-n', '1000000', wasm], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const byCrate = new Map();
  let total = 0;
  for (const line of csv.split('\n').slice(1)) {
    const m = line.match(/^"?(.*?)"?,(\d+),/);
    if (!m || m[1].startsWith('"') || m[1].startsWith('custom section') || m[1].includes('subsection')) continue;
    const size = Number(m[2]);
    total += size;
    const name = m[1].replace(/^(<|&|mut |dyn )+/, '');
    const krate = /^data\[/.test(name) ? 'data (strings, tables, the catalog)' : (name.match(/^([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/)?.[1] ?? 'other');
    byCrate.set(krate, (byCrate.get(krate) ?? 0) + size);
  }
  return [...byCrate.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([crate, bytes]) => ({ crate, bytes, share: +(bytes / total).toFixed(3) }));
}

const results = { date: new Date().toISOString().slice(0, 10), machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}`, seconds: SECONDS, connections: CONNECTIONS, via: VIA === 'proxy' ? "wrangler dev's proxy" : "workerd's own socket", rows: {} };

const bare = await startReference('bare.toml');
try {
  results.rows['bare reference health'] = wrk(await reach(bare, '/health'), '/health');
} finally {
  await bare.stop();
}
const reference = await startReference('wrangler.toml');
try {
  const target = await reach(reference, '/health');
  results.rows['reference health'] = wrk(target, '/health');
  results.rows['reference object read'] = wrk(target, '/object');
} finally {
  await reference.stop();
}

const tollgate = await startWorker({ ORDERS_PER_MINUTE_PER_IP: '10000', READS_PER_MINUTE_PER_IP: '100000' }, { inMemory: BENCH_IN_MEMORY });
try {
  const api = client(tollgate);
  const order = (await api.createOrder({ product_id: 'prod_bundle', variant_id: 'var_team', buyer_email: 'bench@example.com', payment_method: 'crypto_btc' })).json.data;
  const poll = await api.call('GET', `/v1/orders/${order.id}`, { headers: { 'X-Client-Secret': order.client_secret } });
  const buyer = `X-Client-Secret: ${order.client_secret}`;
  const target = await reach(tollgate, '/v1/health');
  results.rows['health'] = wrk(target, '/v1/health');
  results.rows['product'] = wrk(target, '/v1/products/prod_xyz789');
  results.rows['quote'] = wrk(target, '/v1/quote', { script: post({ product_id: 'prod_bundle', variant_id: 'var_team', payment_method: 'crypto_btc', quantity: 1 }) });
  results.rows['create'] = wrk(target, '/v1/orders', { script: post({ product_id: 'prod_bundle', variant_id: 'var_team', buyer_email: 'bench@example.com', payment_method: 'crypto_btc' }) + distinctClients });
  results.rows['poll (200)'] = wrk(target, `/v1/orders/${order.id}`, { headers: [buyer] });
  results.rows['poll (304)'] = wrk(target, `/v1/orders/${order.id}`, { headers: [buyer, `If-None-Match: ${poll.headers.get('etag')}`] });
} finally {
  await tollgate.stop();
}

const ratio = (a, b) => +(results.rows[a].rps / results.rows[b].rps).toFixed(2);
results.ratios = {
  'health / reference health': ratio('health', 'reference health'),
  'health / bare reference health': ratio('health', 'bare reference health'),
  'poll (200) / reference object read': ratio('poll (200)', 'reference object read'),
  'poll (304) / reference object read': ratio('poll (304)', 'reference object read'),
};
results.state = BENCH_IN_MEMORY ? 'memory' : 'disk';
results.worker_wasm = { ...gz(join(root, 'worker/build/index_bg.wasm')), contributors: contributors() };
const widget = ['www/tollgate.js', 'www/widget/tollgate_widget.js', 'www/widget/tollgate_widget_bg.wasm'].map((p) => gz(join(root, p)));
results.widget = { loader: widget[0], glue: widget[1], wasm: widget[2], total_gzipped: widget.reduce((s, f) => s + f.gzipped, 0) };
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');

const pad = (s, n) => String(s).padEnd(n);
const num = (s, n) => String(s).padStart(n);
console.log(`\nTollgate bench, ${results.date}, ${results.machine}; wrk ${CONNECTIONS} connections, ${SECONDS} s each, wrangler dev on loopback, to ${results.via}\n`);
console.log(`${pad('endpoint', 24)}${num('req/s', 8)}${num('p50 ms', 9)}${num('p99 ms', 9)}${num('errors', 8)}${num('CPU ms/req', 12)}`);
for (const [name, r] of Object.entries(results.rows)) {
  const kinds = Object.entries(r.error_kinds).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`${pad(name, 24)}${num(r.rps, 8)}${num(r.p50_ms.toFixed(1), 9)}${num(r.p99_ms.toFixed(1), 9)}${num(r.errors, 8)}${num(r.cpu_ms_per_request, 12)}${kinds ? `  (${kinds})` : ''}`);
}
for (const [name, v] of Object.entries(results.ratios)) console.log(`${pad(name, 40)}${num(v, 6)}×`);
console.log(`\nworker wasm: ${results.worker_wasm.raw} bytes raw, ${results.worker_wasm.gzipped} gzipped; largest parts before wasm-opt:`);
for (const c of results.worker_wasm.contributors) console.log(`  ${pad(c.crate, 28)}${num(c.bytes, 10)}  ${(c.share * 100).toFixed(1)} %`);
console.log(`widget: loader ${widget[0].gzipped}, glue ${widget[1].gzipped}, wasm ${widget[2].gzipped}; ${results.widget.total_gzipped} bytes gzipped in all`);
console.log(`\nwritten to ${out}`);
