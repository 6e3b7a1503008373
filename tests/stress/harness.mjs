// What the stress tests share: the scale they run at, a timed HTTP client whose every request
// has a deadline, latency figures, one address per simulated buyer, the catalog's stock list,
// and the one-line summary each test prints (`STRESS {json}`), which a command can collect.
//
// Scale: TOLLGATE_STRESS = smoke (CI, a few minutes in all) | full (the default) | soak (full,
// with the 15-minute soak). Every figure below can be set on its own by its variable, to try a
// test with small numbers.
import { readFileSync, existsSync, mkdtempSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SELLER_KEY, startWorker, runtimePid, rssKb } from '../support/worker.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const MODE = process.env.TOLLGATE_STRESS || 'full';
if (!['smoke', 'full', 'soak'].includes(MODE)) throw new Error(`TOLLGATE_STRESS must be smoke, full or soak, not ${MODE}`);

/** A figure: its variable if set, else the smoke or the full value for this scale. */
export function scaled(name, smoke, full) {
  const set = process.env[name];
  if (set !== undefined && set !== '') {
    const n = Number(set);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number, not ${set}`);
    return n;
  }
  return MODE === 'smoke' ? smoke : full;
}

export const wait = (ms) => new Promise((r) => setTimeout(r, ms));
export const seller = { Authorization: `Bearer ${SELLER_KEY}` };

/** Prints a test's figures on one line: `STRESS {"test":…,"scale":…,…}`. */
export function report(test, figures) {
  console.log('STRESS ' + JSON.stringify({ test, scale: MODE, ...figures }));
}

/** Latencies in ms, and the percentiles of them. */
export class Latencies {
  constructor() { this.ms = []; }
  add(ms) { this.ms.push(ms); }
  get count() { return this.ms.length; }
  percentile(p) {
    if (!this.ms.length) return null;
    const sorted = Float64Array.from(this.ms).sort();
    return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
  }
  figures(prefix = '') {
    return { [`${prefix}p50_ms`]: this.percentile(50), [`${prefix}p99_ms`]: this.percentile(99), [`${prefix}max_ms`]: this.percentile(100) };
  }
}

/** Counts by outcome (a status, or `error:<code>` for a request that got no answer). */
export class Tally {
  constructor() { this.by = {}; }
  add(outcome) { this.by[outcome] = (this.by[outcome] ?? 0) + 1; }
  get total() { return Object.values(this.by).reduce((a, b) => a + b, 0); }
  /** How many are not among `ok` (statuses). */
  except(...ok) { return Object.entries(this.by).filter(([k]) => !ok.map(String).includes(k)).reduce((a, [, n]) => a + n, 0); }
}

/**
 * wrangler's dev proxy's answer when its forward to workerd fails. The runtime closes a
 * connection that has been idle about 5 s, and the proxy reusing one just then loses the
 * request (a burst after 4.5 s of quiet loses about a third of it); the proxy retries a GET
 * itself and answers anything else 503 "Your worker restarted mid-request", whatever happened.
 * A deployment has no such proxy.
 */
export const lostByProxy = (r) => r.status === 503 && /restarted mid-request/.test(r.text);

/**
 * Sends a request that is not idempotent (a payment, a status change) and, if the dev proxy
 * lost it, sends it again only when `landed()` (a read of the order) finds no trace of it;
 * `counter.lost` counts the losses. `landed` answers the read when it landed, else null.
 */
export async function unlessLanded(send, landed, counter) {
  const r = await send();
  if (!lostByProxy(r)) return r;
  counter.lost = (counter.lost ?? 0) + 1;
  return (await landed()) ?? send();
}

/**
 * A sandbox payment (`pay`, the order's first) or confirmation (`confirm`) for order `o`, by its
 * buyer; sent again if the dev proxy lost it and the order shows no trace of it (see
 * `unlessLanded`). `options` go to `call` (latencies, tally).
 */
export function sandboxEvent(call, o, action, body, counter, options = {}) {
  const headers = { 'X-Client-Secret': o.client_secret };
  const trace = action === 'pay' ? (v) => Number(v.amount_paid) > 0 : (v) => v.confirmations >= body.confirmations;
  return unlessLanded(
    () => call('POST', `/v1/sandbox/orders/${o.id}/${action}`, { body, headers, ...options }),
    async () => {
      const now = await call('GET', `/v1/orders/${o.id}`, { headers });
      return now.status === 200 && trace(now.json.data) ? now : null;
    },
    counter,
  );
}

/**
 * A client for the worker at `target.base` that times every request and never waits longer
 * than `timeoutMs` for one: a request that gets no answer has `status` 0 and `error`.
 *
 * `retryLost`: a create (a POST with an Idempotency-Key) that wrangler's dev proxy lost on its
 * way to workerd (`lostByProxy`) is sent again once, with the same key, as the widget would;
 * `call.lost` counts them.
 */
export function timedClient(target, { timeoutMs = 30_000, retryLost = false } = {}) {
  const call = async (method, path, options = {}) => {
    const r = await once(method, path, options);
    if (retryLost && method === 'POST' && options.headers?.['Idempotency-Key'] && lostByProxy(r)) {
      call.lost++;
      await wait(500);
      return once(method, path, options);
    }
    return r;
  };
  call.lost = 0;
  return call;

  async function once(method, path, { body, headers = {}, latencies, tally } = {}) {
    const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    const started = performance.now();
    let result;
    try {
      const res = await fetch(target.base + path, init);
      const text = await res.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      result = { status: res.status, headers: res.headers, json, text };
    } catch (e) {
      const code = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name);
      result = { status: 0, error: code, text: String(e.cause?.message ?? e.message), headers: new Headers(), json: null };
    }
    result.ms = performance.now() - started;
    latencies?.add(result.ms);
    tally?.add(result.status || `error:${result.error}`);
    return result;
  }
}

let buyers = 0;
/**
 * A fresh client address per simulated buyer, so each has its own order limit (a client is
 * an IPv4 address). `salt` keeps test files apart.
 */
export function buyerIp(salt = 0) {
  const n = buyers++;
  return `10.${(salt * 37 + 1) % 250}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

/** The licence keys of `product` in worker/catalog.toml, in order. */
export function stockList(product) {
  const toml = readFileSync(join(root, 'worker', 'catalog.toml'), 'utf8');
  const start = toml.indexOf(`id = "${product}"`);
  if (start < 0) throw new Error(`${product} is not in worker/catalog.toml`);
  const end = toml.indexOf('[[products]]', start);
  const block = toml.slice(start, end < 0 ? undefined : end);
  const list = block.match(/stock\s*=\s*\[([\s\S]*?)\]/);
  if (!list) throw new Error(`${product} has no stock list`);
  return [...list[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

/** Runs `work(i)` for i in 0..n with at most `limit` at once; the results in order. */
export async function pool(n, limit, work) {
  const out = new Array(n);
  let next = 0;
  const runner = async () => { while (next < n) { const i = next++; out[i] = await work(i); } };
  await Promise.all(Array.from({ length: Math.min(n, limit) }, runner));
  return out;
}

/** Every order in the seller's list (all pages), with filters as query parameters. */
export async function listAll(call, query = '') {
  const all = [];
  for (let page = 1; page <= 1000; page++) {
    const r = await call('GET', `/v1/orders?limit=100&page=${page}${query ? '&' + query : ''}`, { headers: seller });
    if (r.status !== 200) throw new Error(`the seller's list answered ${r.status}: ${r.text}`);
    all.push(...r.json.data);
    if (r.json.data.length < 100) return { orders: all, total: r.json.meta.total };
  }
  throw new Error('the seller\'s list has more than 1000 pages');
}

/** Polls `check` every `everyMs` until it returns something truthy, for at most `ms`; null then. */
export async function within(ms, check, everyMs = 250) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > deadline) return null;
    await wait(everyMs);
  }
}

let frozen = null;
/**
 * The project's wrangler.toml beside a copy of the built worker and of `www/`, made once per
 * test file. `wrangler dev` reloads the worker whenever its files change ("Your worker
 * restarted mid-request"), and a build of the widget or the worker elsewhere in the tree would
 * do that in the middle of a measurement; the copy keeps the build that was there at the start.
 */
export function frozenConfig() {
  if (frozen) return frozen;
  if (!existsSync(join(root, 'worker', 'build', 'index.js'))) throw new Error('worker/build/index.js is missing: build the worker first (cargo xtask build worker)');
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-stress-build-'));
  cpSync(join(root, 'worker', 'build'), join(dir, 'worker', 'build'), { recursive: true, filter: (src) => !src.includes('.tmp') });
  cpSync(join(root, 'www'), join(dir, 'www'), { recursive: true });
  cpSync(join(root, 'wrangler.toml'), join(dir, 'wrangler.toml'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  frozen = join(dir, 'wrangler.toml');
  return frozen;
}

/** `startWorker` on the frozen copy of the build (see `frozenConfig`). */
export function startFrozenWorker(vars = {}, options = {}) {
  return startWorker(vars, { config: frozenConfig(), ...options });
}

/**
 * What the local runtime itself keeps for each Durable Object that has run: the
 * plain-JavaScript reference worker (tests/bench/reference) reads `n` distinct objects once each,
 * and workerd's growth is divided by `n`. workerd under `wrangler dev` does not give that memory
 * back while it lives, so a test of Tollgate's memory subtracts it for the objects it made.
 * `idleMs`: how long to wait afterwards, to see whether it is given back.
 */
export async function runtimeObjectCost(n, { idleMs = 0 } = {}) {
  const config = join(root, 'tests', 'bench', 'reference', 'bare.toml');
  const worker = await startWorker({}, { config, env: null, expectStatus: 404 });
  try {
    const pid = runtimePid(worker);
    const read = (name) => fetch(`${worker.base}/object?n=${name}`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.text());
    for (let i = 0; i < 50; i++) await read(`warm-${i}`);
    const beforeKb = rssKb(pid);
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => { while (next < n) await read(`o-${next++}`); }));
    const afterKb = rssKb(pid);
    await wait(idleMs);
    return { n, beforeKb, afterKb, idleKb: rssKb(pid), kbPerObject: Math.round((afterKb - beforeKb) / n) };
  } finally {
    await worker.stop();
  }
}

/**
 * The worker's own memory, asked of its isolate through the runtime's inspector (V8's DevTools
 * protocol): the JavaScript heap in use, and the wasm's linear memory (Rust's heap, which
 * never shrinks, so a leak in Tollgate's code shows as its growth). Unlike workerd's RSS it
 * holds nothing of the runtime's own cost per object. One session for a test's samples
 * (`memory()`, then `close()`): wrangler's inspector proxy names the isolate's context to its
 * first client only.
 */
export async function isolateSession(worker) {
  const { default: WebSocket } = await import('ws');
  const targets = await (await fetch(`http://127.0.0.1:${worker.inspectorPort}/json`, { signal: AbortSignal.timeout(5000) })).json();
  // The proxy takes the `ws` package's handshake, not Node's own WebSocket's.
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  const replies = new Map();
  let context = null;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.method === 'Runtime.executionContextCreated') context = m.params.context.id;
    replies.get(m.id)?.(m);
  });
  let next = 0;
  const ask = (method, params = {}) => new Promise((resolve, reject) => {
    const id = ++next;
    const timer = setTimeout(() => reject(new Error(`${method}: no answer in 10 s`)), 10_000);
    replies.set(id, (m) => { clearTimeout(timer); m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result); });
    ws.send(JSON.stringify({ id, method, params }));
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  await ask('Runtime.enable');
  if (!(await within(5000, () => context !== null, 50))) {
    ws.close();
    throw new Error('the isolate named no context');
  }
  return {
    async memory() {
      const heap = await ask('Runtime.getHeapUsage');
      const proto = await ask('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype', contextId: context });
      const all = await ask('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
      const sizes = await ask('Runtime.callFunctionOn', {
        objectId: all.objects.objectId, returnByValue: true,
        functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }',
      });
      await ask('Runtime.releaseObjectGroup', { objectGroup: '' }).catch(() => null);
      return { jsHeapKb: Math.round(heap.usedSize / 1024), wasmKb: Math.round(sizes.result.value.reduce((a, b) => a + b, 0) / 1024) };
    },
    close: () => ws.close(),
  };
}
