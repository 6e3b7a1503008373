// An upstream provider that hangs, resets connections or answers 500 for a while, then comes
// back: meanwhile buyers get 502/503 with Retry-After (never anything else), the seller's list
// keeps working, and orders are paid at the provider; once it is back every order converges to
// the provider's truth, and every create refused during the outage, retried with its
// Idempotency-Key, opens exactly one order at the provider.
//
// One SellGate stand-in (read every second: UPSTREAM_REFRESH_SECONDS=1) and one worker; each
// failure kind takes its own orders (by the buyer's email), all for the same outage. Half of
// each kind's orders are watched by their buyer (polled every second, as the widget does),
// the other half by nobody, so only the worker's own follow-up reads bring them in step.
//
// TOLLGATE_OUTAGE_SECONDS (smoke 10, full 60), TOLLGATE_OUTAGE_KINDS (hang,reset,500),
// TOLLGATE_OUTAGE_ORDERS (orders open before the outage per kind: 8), TOLLGATE_OUTAGE_CREATES
// (creates during the outage per kind: 3).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstream, upstreamVars } from '../support/upstream.mjs';
import { startFrozenWorker, scaled, report, timedClient, buyerIp, listAll, within, wait, Tally, Latencies } from './harness.mjs';

const OUTAGE_SECONDS = scaled('TOLLGATE_OUTAGE_SECONDS', 10, 60);
const KINDS = (process.env.TOLLGATE_OUTAGE_KINDS || 'hang,reset,500').split(',').map((k) => (k === '500' ? 500 : k));
const PER_KIND = scaled('TOLLGATE_OUTAGE_ORDERS', 8, 8);
const CREATES = scaled('TOLLGATE_OUTAGE_CREATES', 3, 3);
const REFRESH_SECONDS = 1;
/** What each order's provider does during the outage, in turn. */
const FATES = ['completed', 'confirming', 'pending', 'cancelled'];

let fake;
let worker;
after(async () => { await worker?.stop(); await fake?.close(); });

test(`an upstream provider down ${OUTAGE_SECONDS} s (${KINDS.join(', ')}), then back`, { timeout: (OUTAGE_SECONDS * 3 + 240) * 1000 }, async () => {
  const target = { base: null };
  fake = await startUpstream('sellgate', { worker: () => target.base });
  worker = await startFrozenWorker(upstreamVars(fake, { UPSTREAM_REFRESH_SECONDS: String(REFRESH_SECONDS), UPSTREAM_TIMEOUT_MS: '1000' }));
  target.base = worker.base;
  const call = timedClient(target, { timeoutMs: 20_000, retryLost: true });
  const body = (kind, n) => ({ product_id: 'prod_xyz789', buyer_email: `${kind}-${n}@example.com`, payment_method: 'crypto_btc' });
  const kindOfEmail = (email) => email?.split('-')[0];
  // Which failure kind a request to the provider belongs to: its order's buyer.
  const kindOf = (r) => {
    if (r.method === 'POST') { try { return kindOfEmail(JSON.parse(r.body).buyer_email); } catch { return null; } }
    return kindOfEmail(fake.orders.get(r.path.split('/').pop())?.email);
  };

  // Before: each kind's orders, opened at the provider.
  const orders = [];
  for (const kind of KINDS) {
    for (let i = 0; i < PER_KIND; i++) {
      const r = await call('POST', '/v1/orders', { body: body(kind, i), headers: { 'CF-Connecting-IP': buyerIp(60), 'Idempotency-Key': `outage-${kind}-${i}` } });
      assert.equal(r.status, 201, r.text);
      assert.ok(r.json.data.payment_address, 'opened at the provider');
      orders.push({ ...r.json.data, kind, fate: FATES[i % FATES.length], watched: i % 2 === 0 });
    }
  }

  // The outage.
  const outageStart = Date.now();
  const outageEnd = outageStart + OUTAGE_SECONDS * 1000;
  for (const kind of KINDS) fake.failFor(kind, OUTAGE_SECONDS * 1000, (r) => kindOf(r) === String(kind));
  const during = new Tally();
  const lists = new Tally();
  const noRetryAfter = [];
  const odd = [];
  const pollLatencies = new Latencies();
  const watch = (r) => {
    if (r.status === 502 || r.status === 503) { if (!(Number(r.headers.get('retry-after')) >= 1)) noRetryAfter.push(`${r.status} ${r.text.slice(0, 120)}`); }
    else if (r.status !== 200 && r.status !== 304 && odd.length < 10) odd.push(`${r.status} ${r.error ?? ''} ${r.text.slice(0, 200)}`);
  };

  // Meanwhile, at the provider: orders paid in full (and confirmed), paid and waiting for
  // confirmations, cancelled, or left alone.
  const provider = (async () => {
    await wait(1000);
    for (const o of orders) {
      if (o.fate === 'completed') fake.pay(o.id, { confirmations: 6 });
      else if (o.fate === 'confirming') fake.pay(o.id, { confirmations: 0 });
      else if (o.fate === 'cancelled') fake.update(o.id, { phase: 'cancelled' });
    }
  })();
  // Buyers who watch their order poll it every second (with its ETag), during and after.
  const etags = new Map();
  const pollUntil = async (o, until, tally) => {
    while (Date.now() < until) {
      const headers = { 'X-Client-Secret': o.client_secret };
      if (etags.get(o.id)) headers['If-None-Match'] = etags.get(o.id);
      const r = await call('GET', `/v1/orders/${o.id}`, { headers, tally, latencies: pollLatencies });
      if (r.status === 200) { etags.set(o.id, r.headers.get('etag')); o.seen = r.json.data; }
      watch(r);
      await wait(1000);
    }
  };
  const watchers = orders.filter((o) => o.watched).map((o) => pollUntil(o, outageEnd, during));
  // New buyers during the outage: refused with 502/503, to retry with the same key.
  const refusedCreates = [];
  const creators = KINDS.map(async (kind) => {
    for (let i = 0; i < CREATES; i++) {
      await wait((OUTAGE_SECONDS * 1000) / (CREATES + 1));
      const attempt = { kind, key: `outage-${kind}-late-${i}`, ip: buyerIp(61), body: body(kind, 100 + i) };
      attempt.first = await call('POST', '/v1/orders', { body: attempt.body, headers: { 'CF-Connecting-IP': attempt.ip, 'Idempotency-Key': attempt.key }, tally: during });
      watch(attempt.first);
      refusedCreates.push(attempt);
    }
  });
  // The seller's list does not depend on the provider.
  const seller = (async () => {
    while (Date.now() < outageEnd) {
      const r = await call('GET', '/v1/orders?limit=100', { headers: { Authorization: 'Bearer sg_test_sandbox' }, tally: lists });
      if (r.status !== 200 && odd.length < 10) odd.push(`seller list ${r.status} ${r.text.slice(0, 200)}`);
      await wait(2000);
    }
  })();
  await Promise.all([provider, ...watchers, ...creators, seller]);
  await wait(Math.max(0, outageEnd - Date.now()));
  const recoveredAt = Date.now();

  // After: the refused creates, retried with their keys, each open one order at the provider.
  const retried = await Promise.all(refusedCreates.map((a) => call('POST', '/v1/orders', { body: a.body, headers: { 'CF-Connecting-IP': a.ip, 'Idempotency-Key': a.key } })));
  const reopened = [];
  retried.forEach((r, i) => {
    const a = refusedCreates[i];
    if (r.status !== 201 || !r.json.data.payment_address) odd.push(`the retry of ${a.key} (first ${a.first.status}) got ${r.status} ${r.text.slice(0, 200)}`);
    else reopened.push({ ...r.json.data, kind: a.kind, fate: 'pending', watched: false });
  });
  const upstreamCopies = reopened.map((o) => [...fake.orders.values()].filter((u) => u.ref === o.id).length);

  // Watched orders: the buyer's next polls show the provider's truth.
  const truth = (o) => fake.byRef(o.id);
  const matches = (mine, up) => mine && mine.status === up.phase
    && (up.phase !== 'completed' || mine.delivered_content === up.delivered)
    && (!up.paid || Number(mine.amount_paid) === Number(up.paid));
  const watchedOrders = orders.filter((o) => o.watched);
  const after = new Tally();
  const watchedInStep = await within(15_000, async () => {
    await Promise.all(watchedOrders.map((o) => pollUntil(o, Date.now() + 1, after)));
    return watchedOrders.every((o) => matches(o.seen, truth(o)));
  }, 500);
  const watchedMs = Date.now() - recoveredAt;
  // Unwatched orders: the worker's own follow-up reads (backing off while the provider
  // failed) bring them in step; the seller's list, which reads no provider, shows it.
  const all = [...orders, ...reopened];
  const unwatchedBound = OUTAGE_SECONDS * 1000 + 30_000;
  const listedInStep = await within(unwatchedBound, async () => {
    const l = await listAll(call);
    const byId = new Map(l.orders.map((x) => [x.id, x]));
    return all.every((o) => matches(byId.get(o.id), truth(o)));
  }, 1000);
  const unwatchedMs = Date.now() - recoveredAt;
  const finalList = new Map((await listAll(call)).orders.map((x) => [x.id, x]));
  const behind = all.filter((o) => !matches(finalList.get(o.id), truth(o)))
    .map((o) => `${o.id} (${o.kind}, ${o.watched ? 'watched' : 'unwatched'}): worker ${finalList.get(o.id)?.status} / provider ${truth(o)?.phase}`);

  report('upstream_outage', {
    provider: 'sellgate', kinds: KINDS, outage_s: OUTAGE_SECONDS, orders: orders.length, watched: watchedOrders.length,
    during_statuses: during.by, poll_p50_ms: pollLatencies.percentile(50), poll_p99_ms: pollLatencies.percentile(99),
    seller_lists: lists.total, seller_list_errors: lists.except(200), creates_refused: refusedCreates.length,
    creates_first: refusedCreates.map((a) => a.first.status), retried_201: reopened.length, upstream_orders_per_retry_max: Math.max(0, ...upstreamCopies),
    watched_in_step_ms: watchedInStep ? watchedMs : null, all_in_step_ms: listedInStep ? unwatchedMs : null, behind: behind.length, proxy_503_retried: call.lost,
  });
  assert.deepEqual(odd, [], 'only 200/304 and 502/503 during the outage; the seller\'s list always; every retry 201');
  assert.deepEqual(noRetryAfter, [], '502/503 carry Retry-After');
  assert.ok(during.except(200, 304) > 0, 'the outage was seen by the buyers');
  assert.deepEqual(upstreamCopies.filter((n) => n !== 1), [], 'exactly one provider order per retried create');
  assert.ok(watchedInStep, `watched orders in step with the provider within 15 s of its recovery: ${behind.join('; ')}`);
  assert.deepEqual(behind, [], `every order in step with the provider within ${unwatchedBound / 1000} s of its recovery`);
});
