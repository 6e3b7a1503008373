// Load on the real worker: buyers polling their orders as the widget does (ETag, 304), a
// race of buyers for the last licence keys, and a burst of payments on distinct orders.
//
// TOLLGATE_POLLERS, TOLLGATE_POLL_SECONDS, TOLLGATE_POLL_ORDERS (smoke 100 / 10 / 20, full
// 1000 / 60 / 100), TOLLGATE_POLL_WAIT_MS (a poller's pause between polls: smoke 0, back to
// back; full 3000, the widget's interval; see README.md for the local runtime's limit at 0),
// TOLLGATE_RACE_BUYERS (200), TOLLGATE_PAYMENTS (100). TOLLGATE_DIRECT=1 sends the requests
// to workerd's own socket, without wrangler's dev proxy in front (which a deployment does not
// have), to tell the two apart.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { directBase } from '../support/worker.mjs';
import { startFrozenWorker, sandboxEvent, scaled, report, timedClient, buyerIp, stockList, listAll, within, wait, Latencies, Tally } from './harness.mjs';

const POLLERS = scaled('TOLLGATE_POLLERS', 100, 1000);
const POLL_SECONDS = scaled('TOLLGATE_POLL_SECONDS', 10, 60);
const POLL_ORDERS = scaled('TOLLGATE_POLL_ORDERS', 20, 100);
const POLL_WAIT_MS = scaled('TOLLGATE_POLL_WAIT_MS', 0, 3000);
const RACE_BUYERS = scaled('TOLLGATE_RACE_BUYERS', 200, 200);
const PAYMENTS = scaled('TOLLGATE_PAYMENTS', 100, 100);
const DIRECT = process.env.TOLLGATE_DIRECT === '1';

const STOCKED = 'prod_xyz789';
const KEYS = stockList(STOCKED);
const BUNDLE = { product_id: 'prod_bundle', variant_id: 'var_personal', buyer_email: 'load@example.com', payment_method: 'crypto_btc' };
const BUNDLE_TEXT = 'Download: https://downloads.example.com/pro-bundle.zip (your order number is the password)';
const COINS = ['crypto_btc', 'crypto_eth', 'crypto_ltc', 'crypto_sol'];

describe('load', () => {
  const target = { base: null };
  const call = timedClient(target, { retryLost: true });
  let worker;
  before(async () => {
    worker = await startFrozenWorker();
    target.base = DIRECT ? await directBase(worker) : worker.base;
  });
  after(async () => worker?.stop());

  /** `n` orders of `body`, each by a buyer of its own, with an Idempotency-Key; all must be 201. */
  async function createOrders(n, body, salt) {
    const made = await Promise.all(Array.from({ length: n }, (_, i) => call('POST', '/v1/orders', {
      body: typeof body === 'function' ? body(i) : body,
      headers: { 'CF-Connecting-IP': buyerIp(salt), 'Idempotency-Key': `load-${salt}-${i}` },
    })));
    const refused = made.filter((r) => r.status !== 201);
    assert.deepEqual(refused.map((r) => `${r.status} ${r.text}`), [], 'every order is created');
    return made.map((r) => r.json.data);
  }

  // Payments and confirmations that wrangler's dev proxy lost (`lostByProxy`) are sent again
  // if they did not land: counted (`proxy_503_retried`), never taken for the worker's answer.
  const proxy = { lost: 0 };
  const pay = (o, confirmations, options = {}) => sandboxEvent(call, o, 'pay', { amount: o.crypto_amount, confirmations }, proxy, options);
  /** Requests the proxy lost since `mark` (creates and payments alike). */
  const lost = (mark = 0) => call.lost + proxy.lost - mark;

  test(`${POLLERS} buyers poll ${POLL_ORDERS} open orders for ${POLL_SECONDS} s`, { timeout: (POLL_SECONDS + 300) * 1000 }, async () => {
    const mark = lost();
    const orders = await createOrders(POLL_ORDERS, (i) => ({ ...BUNDLE, payment_method: COINS[i % COINS.length] }), 1);
    const latencies = new Latencies();
    const tally = new Tally();
    const samples = [];
    const started = Date.now();
    const end = started + POLL_SECONDS * 1000;
    // A third of the way through, every tenth order is paid: its pollers must see the change
    // (a 200 with the new view after their 304s), never keep the old one.
    const paidEarly = orders.filter((_, i) => i % 10 === 0);
    const payer = (async () => {
      await wait((POLL_SECONDS * 1000) / 3);
      const paid = await Promise.all(paidEarly.map((o) => pay(o, 0)));
      assert.deepEqual(paid.map((r) => r.json?.data?.status), paidEarly.map(() => 'confirming'), 'paid half-way');
      return Date.now();
    })();
    const poller = async (k) => {
      const o = orders[k % orders.length];
      let etag = null;
      let seen = null;
      await wait((k * 1000) / POLLERS); // started over a second, like buyers arriving
      for (let n = 0; Date.now() < end && n < 1_000_000; n++) {
        const headers = { 'X-Client-Secret': o.client_secret };
        if (etag) headers['If-None-Match'] = etag;
        const r = await call('GET', `/v1/orders/${o.id}`, { headers, latencies, tally });
        if (r.status === 200) {
          etag = r.headers.get('etag');
          seen = r.json.data.status;
        } else if (r.status !== 304 && samples.length < 12) {
          samples.push(`${r.status} ${r.error ?? ''} after ${Math.round(r.ms)} ms, ${Math.round((Date.now() - started) / 100) / 10} s in, poll ${n} of this poller: ${r.text.slice(0, 200)}`);
        }
        if (POLL_WAIT_MS) await wait(POLL_WAIT_MS);
      }
      return { id: o.id, seen };
    };
    const seen = await Promise.all(Array.from({ length: POLLERS }, (_, k) => poller(k)));
    const paidAt = await payer;
    const seconds = (Date.now() - started) / 1000;
    const errors = tally.except(200, 304);
    report('polls', {
      pollers: POLLERS, orders: POLL_ORDERS, seconds: Math.round(seconds), wait_ms: POLL_WAIT_MS, via: DIRECT ? 'workerd' : 'wrangler proxy',
      requests: tally.total, req_per_s: Math.round(tally.total / seconds), ok_200: tally.by[200] ?? 0, not_modified_304: tally.by[304] ?? 0,
      errors, ...latencies.figures(), statuses: tally.by, proxy_503_retried: lost(mark),
    });
    // The runtime's own complaints (see README.md), if the answers were not all 200/304.
    if (errors) console.log(worker.log().split('\n').filter((l) => /RPC|rror/.test(l)).slice(-10).map((l) => `# worker: ${l}`).join('\n'));
    assert.equal(errors, 0, `answers other than 200/304: ${JSON.stringify(tally.by)}; e.g. ${samples.join(' | ')}`);
    const paidIds = new Set(paidEarly.map((o) => o.id));
    const stale = seen.filter((s) => paidIds.has(s.id) && s.seen !== 'confirming');
    assert.ok(end - paidAt > 1000, 'the payments landed early enough for the pollers to see them');
    assert.deepEqual(stale, [], 'every poller of a paid order saw it confirming');
  });

  test(`${RACE_BUYERS} buyers race for ${KEYS.length} licence keys`, { timeout: 300_000 }, async () => {
    const N = KEYS.length;
    const body = { product_id: STOCKED, buyer_email: 'race@example.com', payment_method: 'crypto_btc' };
    const latencies = new Latencies();
    const tally = new Tally();
    const mark = lost();
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: RACE_BUYERS }, (_, i) => call('POST', '/v1/orders', {
      body, headers: { 'CF-Connecting-IP': buyerIp(2), 'Idempotency-Key': `race-${i}` }, latencies, tally,
    })));
    const raceMs = performance.now() - started;
    const won = answers.filter((r) => r.status === 201).map((r) => r.json.data);
    const refused = answers.filter((r) => r.status === 422);
    const cleanLoss = refused.filter((r) => r.json?.error?.code === 'out_of_stock' && r.json.error.invalid_fields?.includes('quantity'));

    // Every winner pays in full with the confirmations required: all complete at once.
    const payLatencies = new Latencies();
    const paid = await Promise.all(won.map((o) => pay(o, o.confirmations_required, { latencies: payLatencies })));
    const delivered = paid.map((r) => r.json?.data?.delivered_content);
    const unique = new Set(delivered);
    // The seller's list adds up: every winner, completed, with the key the buyer got.
    const listed = await within(15_000, async () => {
      const l = await listAll(call, `product_id=${STOCKED}`);
      return l.orders.every((o) => o.status === 'completed') && l.orders.length >= won.length ? l : null;
    }) ?? await listAll(call, `product_id=${STOCKED}`);
    const listedKeys = new Map(listed.orders.map((o) => [o.id, o.delivered_content]));
    const again = await call('POST', '/v1/orders', { body, headers: { 'CF-Connecting-IP': buyerIp(2) } });
    const product = await call('GET', `/v1/products/${STOCKED}`, { headers: { 'CF-Connecting-IP': buyerIp(2) } });
    report('stock_race', {
      buyers: RACE_BUYERS, stock: N, created_201: won.length, out_of_stock_422: cleanLoss.length, other: RACE_BUYERS - won.length - cleanLoss.length,
      race_ms: Math.round(raceMs), ...latencies.figures('create_'), paid_completed: paid.filter((r) => r.json?.data?.status === 'completed').length,
      ...payLatencies.figures('pay_'), keys_delivered: delivered.filter(Boolean).length, keys_unique: unique.size,
      seller_total: listed.total, seller_completed: listed.orders.filter((o) => o.status === 'completed').length, statuses: tally.by, proxy_503_retried: lost(mark),
    });
    assert.equal(won.length, Math.min(N, RACE_BUYERS), `201s: ${JSON.stringify(tally.by)}`);
    assert.equal(cleanLoss.length, RACE_BUYERS - won.length, `the rest are a clean 422 out_of_stock: ${JSON.stringify(tally.by)}; ${answers.find((r) => r.status !== 201 && r.json?.error?.code !== 'out_of_stock')?.text}`);
    assert.deepEqual(paid.filter((r) => r.json?.data?.status !== 'completed').map((r) => `${r.status} ${r.text.slice(0, 200)}`), []);
    assert.equal(unique.size, won.length, 'no key delivered twice');
    assert.ok([...unique].every((k) => KEYS.includes(k)), 'every key from the catalog\'s list');
    if (won.length === N) assert.deepEqual([...unique].sort(), [...KEYS].sort(), 'the whole list, each key once');
    assert.equal(listed.total, won.length, 'the seller lists exactly the winners');
    assert.ok(won.every((o, i) => listedKeys.get(o.id) === delivered[i]), 'with the keys their buyers got');
    assert.equal(again.status, 422, again.text);
    assert.equal(again.json.error.code, 'out_of_stock');
    assert.equal(product.json.data.in_stock, false);
  });

  test(`${PAYMENTS} payments and confirmations at once, on distinct orders`, { timeout: 300_000 }, async () => {
    const mark = lost();
    const orders = await createOrders(PAYMENTS, (i) => ({ ...BUNDLE, payment_method: COINS[i % COINS.length] }), 3);
    const payLatencies = new Latencies();
    const confirmLatencies = new Latencies();
    const tally = new Tally();
    const samples = [];
    const started = performance.now();
    const outcomes = await Promise.all(orders.map(async (o) => {
      const paid = await pay(o, 0, { latencies: payLatencies, tally });
      const confirmed = await sandboxEvent(call, o, 'confirm', { confirmations: o.confirmations_required }, proxy, { latencies: confirmLatencies, tally });
      for (const r of [paid, confirmed]) if (r.status !== 200 && samples.length < 5) samples.push(`${r.status} ${r.error ?? ''} ${r.text.slice(0, 200)}`);
      return {
        paid: paid.json?.data?.status, confirmed: confirmed.json?.data?.status, delivered: confirmed.json?.data?.delivered_content,
        failed: (paid.status !== 200) + (confirmed.status !== 200),
      };
    }));
    const ms = performance.now() - started;
    const listed = await within(15_000, async () => {
      const l = await listAll(call, 'product_id=prod_bundle&status=completed');
      const ids = new Set(l.orders.map((o) => o.id));
      return orders.every((o) => ids.has(o.id)) ? l : null;
    });
    const errors = outcomes.reduce((n, o) => n + o.failed, 0);
    report('payments', {
      orders: PAYMENTS, requests: tally.total, errors, seconds: Math.round(ms / 100) / 10,
      ...payLatencies.figures('pay_'), ...confirmLatencies.figures('confirm_'),
      completed: outcomes.filter((o) => o.confirmed === 'completed').length, seller_list_completed: Boolean(listed), proxy_503_retried: lost(mark),
    });
    assert.equal(errors, 0, `${JSON.stringify(tally.by)}; e.g. ${samples.join(' | ')}`);
    assert.deepEqual(outcomes.filter((o) => !['confirming', 'completed'].includes(o.paid) || o.confirmed !== 'completed' || o.delivered !== BUNDLE_TEXT), []);
    assert.ok(listed, 'the seller\'s list shows every order completed');
  });
});
