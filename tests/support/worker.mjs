// Starts the real worker under `wrangler dev` (workerd) on loopback, with fresh Durable Object
// state, and stops it when the tests end (or after a hard time limit, whatever happens).
import { before, after } from 'node:test';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HARD_LIMIT_MS = 10 * 60 * 1000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the worker; `vars` override wrangler.toml's. Returns { base, stop }. A port picked
 * by `freePort` can be taken before wrangler binds it, so a failed start is tried once more on
 * fresh ports, with the first attempt's log shown.
 *
 * `env`: the wrangler environment, `sandbox` (test mode) unless a test asks for `null`, the
 * top level, which is the live configuration `wrangler deploy` deploys.
 *
 * `state`: a directory of Durable Object state to start from and keep (a restart test); by
 * default the worker gets a fresh one, removed when it stops.
 *
 * `config`: another wrangler.toml to run (by default the project's), e.g. one beside a copy of
 * the build that a rebuild cannot reload under a long test.
 *
 * `hardLimitMs`: when the worker is killed whatever happens (10 minutes unless a long test
 * asks for more).
 *
 * `inMemory`: the fresh state goes in memory (`/dev/shm`, where the machine has it) rather than
 * on disk. Locally every Durable Object write is a SQLite commit to this machine's disk; the
 * benchmarks can leave it out (`TOLLGATE_BENCH_STATE=memory`) to show how much of a figure it
 * is. A deployment waits for Cloudflare's own storage instead, which no local run measures.
 */
export async function startWorker(vars = {}, { expectStatus = 200, env = 'sandbox', state, config, hardLimitMs = HARD_LIMIT_MS, inMemory = false } = {}) {
  const fresh = inMemory && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  try {
    return await startWorkerOnce(vars, expectStatus, env, state, config, hardLimitMs, fresh);
  } catch (e) {
    console.error(`# the worker did not start; trying once more on other ports:\n${e.message}`);
    return startWorkerOnce(vars, expectStatus, env, state, config, hardLimitMs, fresh);
  }
}

/** Whether the benchmarks keep the worker's state in memory: on disk unless
 * `TOLLGATE_BENCH_STATE=memory`, as every figure in the README before it was measured. */
export const BENCH_IN_MEMORY = process.env.TOLLGATE_BENCH_STATE === 'memory';

/** `expectStatus`: what /v1/health answers once up (503 for a worker meant to be misconfigured). */
async function startWorkerOnce(vars, expectStatus, env, kept, config, hardLimitMs, fresh) {
  const port = await freePort();
  const state = kept ?? mkdtempSync(join(fresh, 'tollgate-state-'));
  const inspectorPort = await freePort();
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--inspector-port', String(inspectorPort)];
  if (config) args.push('--config', config);
  if (env) args.push('--env', env);
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const child = spawn(join(root, 'node_modules/.bin/wrangler'), args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), hardLimitMs);
  killer.unref();
  // If this process ends without stopping the worker (a test that throws, a script that
  // crashes), wrangler and the workerd processes under it go too, instead of running on.
  const reap = () => {
    for (const pid of [...descendants(child.pid), child.pid]) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  };
  process.on('exit', reap);
  const stop = async () => {
    clearTimeout(killer);
    process.off('exit', reap);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => { child.once('exit', r); setTimeout(r, 5000).unref(); });
    }
    if (!kept) rmSync(state, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler exited early:\n${log}`);
    try {
      const r = await fetch(`${base}/v1/health`);
      if (r.status === expectStatus) return { base, stop, log: () => log, pid: child.pid, port, inspectorPort };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the worker did not start within 90 s:\n${log}`);
}

export const SELLER_KEY = 'sg_test_sandbox';

/** Polls `check` until it returns something truthy (which it returns), for at most `ms`. */
export async function eventually(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts a worker before the file's tests and stops it after them; returns its client, whose
 * `base` is set once the worker is up (`await api.ready`).
 */
export function useWorker(vars = {}) {
  const running = { base: null, stop: null };
  let started;
  const ready = new Promise((resolve) => { started = resolve; });
  before(async () => {
    Object.assign(running, await startWorker(vars));
    started();
  });
  after(async () => running.stop && running.stop());
  const api = client(running);
  // Other root hooks are not ordered after this one: they await `ready` before using `base`.
  api.ready = ready;
  // The running worker itself (its processes, `directBase`).
  api.worker = running;
  return api;
}

const lastUse = new Map();

/**
 * wrangler's dev proxy loses a request it forwards on a connection the runtime has just closed
 * for being idle (about 5 s), and answers anything but a GET 503 "Your worker restarted
 * mid-request" (it retries GETs itself). Before a request that must not be sent twice, after
 * a quiet spell, a GET makes the proxy's connection fresh. A deployment has no such proxy.
 */
export async function warm(target) {
  const quiet = Date.now() - (lastUse.get(target.base) ?? 0);
  if (quiet > 3000) await fetch(`${target.base}/v1/health`).then((r) => r.arrayBuffer(), () => null);
  lastUse.set(target.base, Date.now());
}

/** A small client for the API at `target.base`. Every call may name the client IP it comes from. */
export function client(target) {
  let ipCounter = 0;
  const api = {
    get base() { return target.base; },
    /** A fresh client IP per call site, so tests do not share a rate limit. */
    nextIp: () => `198.51.100.${(++ipCounter % 250) + 1}`,
    async call(method, path, { body, headers = {}, raw } = {}) {
      if (method !== 'GET') await warm(target);
      const init = { method, headers: { ...headers } };
      if (raw !== undefined) init.body = raw;
      else if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers['Content-Type'] ??= 'application/json';
      }
      const res = await fetch(target.base + path, init);
      const text = await res.text();
      lastUse.set(target.base, Date.now());
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      return { status: res.status, headers: res.headers, json, text };
    },
    seller: { Authorization: `Bearer ${SELLER_KEY}` },
    async createOrder(body, headers = {}) {
      return api.call('POST', '/v1/orders', {
        body,
        headers: { 'CF-Connecting-IP': api.nextIp(), ...headers },
      });
    },
    async orderCount() {
      const r = await api.call('GET', '/v1/orders?limit=1', { headers: api.seller });
      return r.json.meta.total;
    },
  };
  return api;
}

/** The pids of every live descendant of `pid` (its children, theirs, …), from /proc. */
export function descendants(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The fields after the command's closing parenthesis: state, ppid, …
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  const found = [];
  const queue = [pid];
  while (queue.length) for (const c of children.get(queue.shift()) ?? []) { found.push(c); queue.push(c); }
  return found;
}

function cmdline(pid) {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { return []; }
}

/**
 * The workerd processes that wrangler spawned for a worker from `startWorker`, as
 * `{pid, runtime}`: wrangler runs two, a proxy on the worker's port and the runtime that runs
 * the worker's code and Durable Objects (`runtime: true`).
 */
export function workerdProcesses(worker) {
  return descendants(worker.pid)
    .map((pid) => ({ pid, args: cmdline(pid) }))
    .filter((p) => p.args[0]?.endsWith('/workerd'))
    .map((p) => ({ pid: p.pid, runtime: !p.args.includes(`--socket-addr=entry=127.0.0.1:${worker.port}`) }));
}

/** The pid of the workerd that runs the worker's code (see `workerdProcesses`), or null. */
export function runtimePid(worker) {
  return workerdProcesses(worker).find((p) => p.runtime)?.pid ?? null;
}

/** A process's resident memory (VmRSS) in kB, or null when it is gone. */
export function rssKb(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) : null;
  } catch { return null; }
}

/** The loopback ports a process listens on (from /proc: its sockets' inodes in the TCP table). */
function listening(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try { const m = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/); if (m) inodes.add(m[1]); } catch { /* closed meanwhile */ }
  }
  const ports = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const row of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

/**
 * The worker as workerd serves it, without wrangler's dev proxy in front: the runtime's own
 * entry socket (the one of its ports whose `health` path answers `status: ok`). The proxy (a single Durable
 * Object that every request goes through) is part of `wrangler dev`, not of a deployment.
 */
export async function directBase(worker, health = '/v1/health') {
  const pid = runtimePid(worker);
  for (const port of listening(pid)) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${health}`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200 && (await r.json()).status === 'ok') return `http://127.0.0.1:${port}`;
    } catch { /* another of its sockets */ }
  }
  throw new Error(`workerd ${pid} has no socket that answers ${health}`);
}
