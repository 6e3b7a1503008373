// A soak: mixed traffic on one worker for minutes (buyers creating, polling and paying orders,
// orders left to expire with a short invoice lifetime, part payments, sellers cancelling and
// listing, product reads), with workerd's memory watched. At the end every order is in the
// state its traffic implies, in its own object and in the seller's list alike, and the
// runtime's resident memory grew less than the bound after warm-up.
//
// Memory: workerd under `wrangler dev` keeps memory for every Durable Object that has run and
// does not give it back (tests/stress/README.md), and every order and every visitor's read
// limit is an object. So the soak first measures that cost per object on the plain-JavaScript
// reference worker (`runtimeObjectCost`), and the bound is on what remains of workerd's growth
// after a warm-up of five minutes (a third of a shorter soak) once the runtime's own cost for
// the objects made since is taken off. That bound is loose (the runtime keeps more per object in
// a burst than spread over minutes), so the worker's own memory is also read from its isolate
// through the runtime's inspector (`isolateSession`): the wasm's linear memory, Rust's heap,
// which never shrinks, may grow less than a tighter bound, whatever the runtime does. Both are
// checked when the soak lasts ten minutes or more; a shorter one reports the figures.
//
// Not in smoke. TOLLGATE_SOAK_MINUTES (full 2; TOLLGATE_STRESS=soak 15), TOLLGATE_SOAK_RATE
// (buyers arriving per second: 3), TOLLGATE_SOAK_INVOICE_SECONDS (15), TOLLGATE_SOAK_RSS_MB
// (the bound on growth after warm-up, less the runtime's cost of the objects made: 64),
// TOLLGATE_SOAK_WASM_MB (the bound on the wasm memory's growth after warm-up: 16),
// TOLLGATE_SOAK_WARMUP_SECONDS (300), TOLLGATE_SOAK_OBJECTS (objects read to measure
// that cost: as many as the soak makes after warm-up, at most 3,000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimePid, rssKb, workerdProcesses } from '../support/worker.mjs';
import { MODE, isolateSession, runtimeObjectCost, startFrozenWorker, sandboxEvent, unlessLanded, scaled, report, timedClient, buyerIp, listAll, within, wait, seller, Tally, Latencies } from './harness.mjs';

const MINUTES = process.env.TOLLGATE_SOAK_MINUTES ? Number(process.env.TOLLGATE_SOAK_MINUTES) : { smoke: 0, full: 2, soak: 15 }[MODE];
const RATE = scaled('TOLLGATE_SOAK_RATE', 3, 3);
const INVOICE_SECONDS = scaled('TOLLGATE_SOAK_INVOICE_SECONDS', 15, 15);
const RSS_BOUND_MB = scaled('TOLLGATE_SOAK_RSS_MB', 64, 64);
const WASM_BOUND_MB = scaled('TOLLGATE_SOAK_WASM_MB', 16, 16);
const WARMUP_MS = Math.min(scaled('TOLLGATE_SOAK_WARMUP_SECONDS', 300, 300) * 1000, (MINUTES * 60_000) / 3);
const RSS_CHECKED = MINUTES >= 10 || Boolean(process.env.TOLLGATE_SOAK_RSS_MB);
// As many objects as the soak will make after its warm-up (an order for each buyer, a read limit
// for each visitor's second), so that the runtime's fixed costs weigh the same on both sides.
const MADE_AFTER_WARMUP = Math.min(3000, Math.max(100, Math.round((RATE + 1) * (MINUTES * 60 - WARMUP_MS / 1000))));
const COST_OBJECTS = scaled('TOLLGATE_SOAK_OBJECTS', MADE_AFTER_WARMUP, MADE_AFTER_WARMUP);
const MAX_JOURNEYS = 400;
const XYZ_OPEN = 10;
const XYZ_SOLD = 60;

const TEXT = {
  prod_bundle: 'Download: https://downloads.example.com/pro-bundle.zip (your order number is the password)',
  prod_credits: 'Your credits are on your account: sign in with the email you bought with.',
  prod_guide_eur: 'Download: https://downloads.example.com/field-guide.pdf',
};
// What a buyer may order: product, variant, quantity, and the crypto methods it takes.
const CHOICES = [
  { product_id: 'prod_bundle', variant_id: 'var_personal', methods: ['crypto_btc', 'crypto_eth', 'crypto_ltc', 'crypto_sol', 'flexpay_USDT_TRC20', 'flexpay_USDC_SOL'] },
  { product_id: 'prod_bundle', variant_id: 'var_team', methods: ['crypto_btc', 'flexpay_USDT_ERC20', 'flexpay_USDC_MATIC'] },
  { product_id: 'prod_credits', quantity: 60, methods: ['crypto_btc', 'crypto_eth', 'flexpay_USDT_TRC20', 'flexpay_USDC_SOL'] },
  { product_id: 'prod_guide_eur', methods: ['crypto_btc', 'crypto_eth', 'flexpay_USDT_ERC20'] },
];
/** What happens to an order, by weight. */
const FATES = [['completed', 40], ['expired', 25], ['part', 10], ['confirming', 10], ['cancelled', 10], ['completed_xyz', 5]];
const PART = '0.00000001';

test(`soak: ${MINUTES} minute(s) of mixed traffic`, { skip: MINUTES > 0 ? false : 'not in smoke (TOLLGATE_SOAK_MINUTES runs it)', timeout: (MINUTES * 60 + 900) * 1000 }, async () => {
  // Measured first, while nothing else runs.
  const objectCost = await runtimeObjectCost(COST_OBJECTS);
  const worker = await startFrozenWorker({ INVOICE_SECONDS: String(INVOICE_SECONDS) }, { hardLimitMs: (MINUTES * 60 + 900) * 1000 });
  const call = timedClient(worker, { timeoutMs: 30_000, retryLost: true });
  const tally = new Tally();
  const latencies = { create: new Latencies(), poll: new Latencies(), pay: new Latencies(), list: new Latencies(), other: new Latencies() };
  const errors = [];
  const expect = (what, r, ...ok) => {
    if (ok.includes(r.status)) return true;
    if (errors.length < 20) errors.push(`${what} at ${Math.round((Date.now() - started) / 1000)} s, after ${Math.round(r.ms ?? 0)} ms: ${r.status} ${r.error ?? ''} ${r.text.slice(0, 200)}`);
    else errors.push(null);
    return false;
  };
  const started = Date.now();
  const orders = [];
  const counts = { late: 0, skipped_ticks: 0, xyz_open: 0, xyz_sold: 0 };
  // Creates (by their Idempotency-Key, `retryLost`), payments and cancels that wrangler's dev
  // proxy lost (`lostByProxy`) are sent again, counted, never taken for the worker's answer.
  const proxy = { lost: 0 };
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const fate = () => {
    let n = Math.random() * 100;
    for (const [f, w] of FATES) if ((n -= w) < 0) return f;
    return 'completed';
  };

  // Memory: the runtime workerd (and wrangler's proxy) every 5 s; its pid must not change (a
  // crash and respawn).
  const pid = runtimePid(worker);
  const proxyPid = workerdProcesses(worker).find((p) => !p.runtime)?.pid;
  const rss = [];
  // Set after the warm-up: workerd's memory then, and the objects made since.
  let rssStart = null;
  let objectsSinceWarmup = 0;
  const end = started + MINUTES * 60_000;
  const sampler = (async () => {
    while (Date.now() < end) {
      rss.push({ t: Date.now() - started, kb: rssKb(pid), proxy_kb: rssKb(proxyPid), pid: runtimePid(worker) });
      await wait(5000);
    }
  })();

  /** One buyer: creates an order and does what its fate says, polling it as the widget does. */
  async function journey(kind) {
    const choice = kind === 'completed_xyz' ? { product_id: 'prod_xyz789', methods: ['crypto_btc', 'crypto_sol'] } : pick(CHOICES);
    const { methods, ...order } = choice;
    const ip = buyerIp(70);
    const body = { ...order, buyer_email: `soak-${orders.length}@example.com`, payment_method: pick(methods) };
    const headers = { 'CF-Connecting-IP': ip, 'Idempotency-Key': `soak-${ip}` };
    const created = await call('POST', '/v1/orders', { body, headers, tally, latencies: latencies.create });
    if (!expect(`create ${body.product_id}`, created, 201)) return;
    if (rssStart) objectsSinceWarmup++;
    const o = created.json.data;
    const entry = { id: o.id, product: body.product_id, fate: kind === 'completed_xyz' ? 'completed' : kind, expires: Date.parse(o.expires_at) };
    orders.push(entry);
    const buyer = { 'X-Client-Secret': o.client_secret };
    let etag = null;
    const poll = async () => {
      const headers = { ...buyer };
      if (etag) headers['If-None-Match'] = etag;
      const r = await call('GET', `/v1/orders/${o.id}`, { headers, tally, latencies: latencies.poll });
      if (r.status === 200) etag = r.headers.get('etag');
      expect('poll', r, 200, 304);
    };
    const pay = async (amount, confirmations) => {
      const sent = Date.now();
      const r = await sandboxEvent(call, o, 'pay', { amount, confirmations }, proxy, { tally, latencies: latencies.pay });
      if (!expect('pay', r, 200)) return null;
      if (r.json.data.status === 'expired') {
        // Only a payment sent after the invoice lapsed may find it expired.
        if (sent < entry.expires - 1000) expect(`pay ${o.id} ${Math.round((entry.expires - sent) / 1000)} s before its expiry found it expired`, { status: 'expired_early', text: '' });
        counts.late++;
        entry.fate = amount === PART ? 'part' : 'late';
      }
      return r.json.data;
    };
    await wait(300 + Math.random() * 1500);
    await poll();
    switch (entry.fate) {
      case 'completed': {
        if (!(await pay(o.crypto_amount, 0))) return;
        await wait(500 + Math.random() * 2000);
        await poll();
        const r = await sandboxEvent(call, o, 'confirm', { confirmations: o.confirmations_required }, proxy, { tally, latencies: latencies.pay });
        expect('confirm', r, 200);
        break;
      }
      case 'part': await pay(PART, 1); break;
      case 'confirming': await pay(o.crypto_amount, 0); break;
      case 'cancelled': {
        const sent = Date.now();
        const r = await unlessLanded(
          () => call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'cancelled' }, headers: seller, tally, latencies: latencies.other }),
          async () => {
            const now = await call('GET', `/v1/orders/${o.id}`, { headers: seller });
            return now.json?.data?.status === 'cancelled' ? now : null;
          },
          proxy,
        );
        // A create slowed past its invoice's life (the dev proxy's retries) is cancelled late:
        // only then may the cancel find it expired.
        if (r.status === 409 && r.json?.error?.code === 'illegal_transition' && sent >= entry.expires - 1000) {
          counts.late++;
          entry.fate = 'late';
          break;
        }
        expect('cancel', r, 200);
        break;
      }
      default: break; // left to expire
    }
    // The widget keeps polling every 3 s while the invoice is open.
    while (Date.now() < Math.min(entry.expires, end)) {
      await wait(3000);
      await poll();
    }
  }

  // Buyers arrive at RATE a second until the end; sellers list, visitors read products.
  const journeys = new Set();
  const arrivals = (async () => {
    while (Date.now() < end) {
      let kind = fate();
      if (kind === 'completed_xyz') {
        if (counts.xyz_open >= XYZ_OPEN || counts.xyz_sold >= XYZ_SOLD) kind = 'completed';
        else { counts.xyz_open++; counts.xyz_sold++; }
      }
      if (journeys.size >= MAX_JOURNEYS) counts.skipped_ticks++;
      else {
        const j = journey(kind).catch((e) => errors.push(`journey: ${e.stack}`)).finally(() => {
          journeys.delete(j);
          if (kind === 'completed_xyz') counts.xyz_open--;
        });
        journeys.add(j);
      }
      await wait(1000 / RATE);
    }
  })();
  const sellers = (async () => {
    const filters = ['', 'status=pending', 'status=completed', 'status=expired', 'product_id=prod_bundle', 'page=2', 'email=soak-1@example.com'];
    while (Date.now() < end) {
      const r = await call('GET', `/v1/orders?limit=50&${pick(filters)}`, { headers: seller, tally, latencies: latencies.list });
      expect('seller list', r, 200);
      await wait(2000);
    }
  })();
  const visitors = (async () => {
    while (Date.now() < end) {
      // Each visitor's address has its own read limit: one more object.
      if (rssStart) objectsSinceWarmup++;
      const r = await call('GET', `/v1/products/${pick(['prod_bundle', 'prod_credits', 'prod_guide_eur', 'prod_xyz789'])}`, { headers: { 'CF-Connecting-IP': buyerIp(71) }, tally, latencies: latencies.other });
      expect('product', r, 200);
      await wait(1000);
    }
  })();

  // The worker's own memory (its isolate's), beside the process's.
  const isolate = await isolateSession(worker).catch((e) => ({ memory: async () => ({ error: e.message }), close: () => {} }));
  const sample = () => isolate.memory().catch((e) => ({ error: e.message }));
  let isolateStart = null;
  (async () => {
    await wait(WARMUP_MS);
    rssStart = { t: Date.now() - started, kb: rssKb(pid) };
    isolateStart = await sample();
  })();
  await Promise.all([arrivals, sellers, visitors, sampler]);
  await Promise.all([...journeys]);
  const rssEnd = { t: Date.now() - started, kb: rssKb(pid) };
  const isolateEnd = await sample();
  isolate.close();

  // Settle: every open invoice lapses, then every order is checked in its object and in the
  // seller's list.
  const lastExpiry = Math.max(0, ...orders.map((o) => o.expires));
  await wait(Math.max(0, lastExpiry - Date.now()) + 5000);
  const implied = (o) => ({ completed: 'completed', expired: 'expired', part: 'expired', late: 'expired', confirming: 'confirming', cancelled: 'cancelled' })[o.fate];
  const inStep = await within(60_000, async () => {
    const listed = new Map((await listAll(call)).orders.map((x) => [x.id, x]));
    return orders.every((o) => listed.get(o.id)?.status === implied(o)) && listed;
  }, 2000);
  const listed = inStep || new Map((await listAll(call)).orders.map((x) => [x.id, x]));
  const wrong = [];
  const keys = [];
  for (const o of orders) {
    const r = await call('GET', `/v1/orders/${o.id}`, { headers: seller });
    const mine = r.json?.data;
    const want = implied(o);
    const problems = [];
    if (r.status !== 200) problems.push(`reads ${r.status}`);
    else {
      if (mine.status !== want) problems.push(`is ${mine.status}`);
      if (listed.get(o.id)?.status !== want) problems.push(`is ${listed.get(o.id)?.status} in the seller's list`);
      if (want === 'completed' && o.product !== 'prod_xyz789' && mine.delivered_content !== TEXT[o.product]) problems.push(`delivered ${mine.delivered_content}`);
      if (want === 'completed' && o.product === 'prod_xyz789') keys.push(mine.delivered_content);
      if (want !== 'completed' && mine.delivered_content) problems.push('delivered goods');
      if (o.fate === 'part' && mine.amount_paid !== PART) problems.push(`paid ${mine.amount_paid}`);
      if (o.fate === 'expired' && Number(mine.amount_paid) !== 0) problems.push(`paid ${mine.amount_paid}`);
    }
    if (problems.length) wrong.push(`${o.id} (${o.product}, ${o.fate}, should be ${want}): ${problems.join(', ')}`);
  }
  const duplicateKeys = keys.filter((k, i) => !k || keys.indexOf(k) !== i);
  const rssFinal = rssKb(pid);
  const pids = new Set(rss.map((s) => s.pid));
  const mb = (kb) => (kb === null ? null : Math.round(kb / 102.4) / 10);
  const byFate = {};
  for (const o of orders) byFate[o.fate] = (byFate[o.fate] ?? 0) + 1;
  const seconds = (rssEnd.t) / 1000;
  const growthMb = rssStart && rssEnd.kb !== null ? mb(rssEnd.kb - rssStart.kb) : null;
  const runtimeMb = mb(objectsSinceWarmup * objectCost.kbPerObject);
  const ownGrowthMb = growthMb === null ? null : Math.round((growthMb - runtimeMb) * 10) / 10;
  const wasmGrowthMb = isolateStart?.wasmKb && isolateEnd.wasmKb ? mb(isolateEnd.wasmKb - isolateStart.wasmKb) : null;
  report('soak', {
    minutes: MINUTES, rate_per_s: RATE, invoice_s: INVOICE_SECONDS, orders: orders.length, by_fate: byFate, requests: tally.total,
    req_per_s: Math.round(tally.total / seconds), errors: errors.length, late_payments_or_cancels: counts.late, skipped_arrivals: counts.skipped_ticks,
    proxy_503_retried: call.lost + proxy.lost,
    create_p50_ms: latencies.create.percentile(50), create_p99_ms: latencies.create.percentile(99),
    poll_p50_ms: latencies.poll.percentile(50), poll_p99_ms: latencies.poll.percentile(99),
    pay_p50_ms: latencies.pay.percentile(50), pay_p99_ms: latencies.pay.percentile(99),
    list_p50_ms: latencies.list.percentile(50), list_p99_ms: latencies.list.percentile(99),
    rss_warmup_s: rssStart ? Math.round(rssStart.t / 1000) : null, rss_start_mb: mb(rssStart?.kb ?? null), rss_end_mb: mb(rssEnd.kb),
    rss_max_mb: mb(Math.max(...rss.map((s) => s.kb ?? 0))), rss_after_settle_mb: mb(rssFinal), rss_growth_mb: growthMb,
    runtime_kb_per_object: objectCost.kbPerObject, objects_since_warmup: objectsSinceWarmup, runtime_objects_mb: runtimeMb, rss_growth_less_objects_mb: ownGrowthMb, rss_bound_mb: RSS_BOUND_MB,
    wasm_start_mb: mb(isolateStart?.wasmKb ?? null), wasm_end_mb: mb(isolateEnd.wasmKb ?? null), wasm_growth_mb: wasmGrowthMb, wasm_bound_mb: WASM_BOUND_MB,
    js_heap_start_mb: mb(isolateStart?.jsHeapKb ?? null), js_heap_end_mb: mb(isolateEnd.jsHeapKb ?? null),
    isolate_errors: [isolateStart?.error, isolateEnd.error].filter(Boolean), rss_bound_checked: RSS_CHECKED,
    rss_mb_each_minute: rss.filter((x, i) => i % 12 === 0).map((x) => mb(x.kb)),
    proxy_rss_start_mb: mb(rss[0]?.proxy_kb ?? null), proxy_rss_end_mb: mb(rssKb(proxyPid)), runtime_pids: [...pids],
    wrong_state: wrong.length, keys_delivered: keys.length, keys_duplicated: duplicateKeys.length,
  });
  for (const w of wrong.slice(0, 20)) console.log(`# ${w}`);
  // What wrangler said besides the requests (a reload, an error), for the record.
  if (errors.length) for (const l of worker.log().split('\n').filter((l) => l.trim() && !/^\[wrangler:info\] (GET|POST|PATCH) /.test(l)).slice(-40)) console.log(`# wrangler: ${l}`);
  await worker.stop();
  assert.deepEqual(errors.filter(Boolean), [], `${errors.length} unexpected answers`);
  assert.deepEqual([...pids], [pid], 'the runtime workerd ran throughout (no crash, no respawn)');
  assert.deepEqual(wrong, [], 'every order ends in the state its traffic implies');
  assert.deepEqual(duplicateKeys, [], 'no licence key delivered twice');
  if (RSS_CHECKED) {
    assert.ok(wasmGrowthMb !== null && wasmGrowthMb < WASM_BOUND_MB, `the worker's wasm memory grew ${wasmGrowthMb} MB after warm-up (bound ${WASM_BOUND_MB} MB; ${JSON.stringify([isolateStart, isolateEnd])})`);
    assert.ok(ownGrowthMb !== null && ownGrowthMb < RSS_BOUND_MB, `workerd's RSS grew ${growthMb} MB after warm-up, ${ownGrowthMb} MB more than the runtime's own ${runtimeMb} MB for the ${objectsSinceWarmup} objects made since (bound ${RSS_BOUND_MB} MB)`);
  }
});
