// Defects that would lose money or goods, each held here against the real worker: test mode
// only when asked for, stock released exactly once, bounded amounts and bodies, limits per
// client, scoped idempotency keys, free orders, and the provider's truth over Tollgate's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startWorker, client, useWorker, eventually, warm, directBase, SELLER_KEY } from '../support/worker.mjs';
import { useUpstreamWorker } from '../support/upstream.mjs';

const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const ORDER = { product_id: 'prod_xyz789', buyer_email: 'buyer@example.com', payment_method: 'crypto_btc' };
const FOUNDERS = { ...ORDER, product_id: 'prod_founders' };
const LIVE_KEY = 'sk_live_a-seller-key-0123456789';

/**
 * Sends 1 MB of a chunked body that never ends. A server that reads a body in full before
 * checking its size never answers this; one that stops at its limit answers at once.
 */
function endlessPost(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } });
    const timer = setTimeout(() => { req.destroy(); reject(new Error('no answer within 10 s: the body was being read to its end')); }, 10_000);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => { clearTimeout(timer); req.destroy(); resolve(res.statusCode); });
    });
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let i = 0; i < 16; i++) req.write(chunk);
  });
}

describe('a deployment that does not ask for test mode is live', () => {
  const live = { GATEWAY: 'sellgate', UPSTREAM_URL: 'https://api.sellgate.example', UPSTREAM_API_KEY: 'up_key', ALLOWED_ORIGINS: 'https://shop.example' };

  test('with nothing set, it refuses to serve and names what is missing, never a value', async () => {
    const w = await startWorker({}, { env: null, expectStatus: 503 });
    try {
      const r = await client(w).call('GET', '/v1/health');
      assert.equal(r.json.error.code, 'misconfigured');
      assert.match(r.json.error.message, /GATEWAY is not set/);
      assert.match(r.json.error.message, /SELLER_API_KEY is not set/);
      assert.match(r.json.error.message, /ALLOWED_ORIGINS is empty/);
      // The test key opens nothing.
      assert.equal((await client(w).call('GET', '/v1/orders', { headers: { Authorization: `Bearer ${SELLER_KEY}` } })).status, 503);
    } finally {
      await w.stop();
    }
  });

  test('with an upstream gateway and no SANDBOX, the public test key is refused', async () => {
    const w = await startWorker({ ...live, SELLER_API_KEY: LIVE_KEY }, { env: null });
    try {
      const api = client(w);
      const health = await api.call('GET', '/v1/health');
      assert.deepEqual(health.json, { status: 'ok', sandbox: false });
      const probe = await api.call('GET', '/v1/orders', { headers: { Authorization: `Bearer ${SELLER_KEY}` } });
      assert.equal(probe.status, 401, probe.text);
      assert.equal((await api.call('GET', '/v1/orders', { headers: { Authorization: `Bearer ${LIVE_KEY}` } })).status, 200);
      // Every seller endpoint: the test key, a wrong key and none are refused; the live key is taken.
      const sellerEndpoints = [['GET', '/v1/products'], ['POST', '/v1/products'], ['PATCH', '/v1/products/prod_xyz789'],
        ['DELETE', '/v1/products/prod_xyz789'], ['GET', '/v1/products/prod_xyz789/stock'], ['POST', '/v1/products/prod_xyz789/stock'],
        ['DELETE', '/v1/products/prod_xyz789/stock/itm_0'], ['GET', '/v1/coupons'], ['POST', '/v1/coupons'], ['PATCH', '/v1/coupons/cpn_save10'],
        ['DELETE', '/v1/coupons/cpn_save10'], ['GET', '/v1/audit'], ['GET', '/v1/catalog'], ['POST', '/v1/catalog/import'], ['GET', '/v1/orders.csv']];
      for (const [method, path] of sellerEndpoints) {
        for (const key of [SELLER_KEY, 'wrong-key-of-sixteen', null]) {
          const headers = key ? { Authorization: `Bearer ${key}` } : {};
          const body = method === 'GET' || method === 'DELETE' ? undefined : {};
          const r = await api.call(method, path, { body, headers });
          assert.equal(r.status, 401, `${method} ${path} with ${key}: ${r.text}`);
        }
      }
      assert.equal((await api.call('GET', '/v1/products', { headers: { Authorization: `Bearer ${LIVE_KEY}` } })).status, 200);
      assert.equal((await api.call('GET', '/v1/audit', { headers: { Authorization: `Bearer ${LIVE_KEY}` } })).json.meta.total, 1, 'only the seed: nothing changed');
      // The sandbox's pay endpoint does not exist in a live store.
      assert.equal((await api.call('POST', '/v1/sandbox/orders/ord_x/pay', { body: {} })).status, 404);
    } finally {
      await w.stop();
    }
    // Set as the seller key itself, the test key is a configuration error naming the fix.
    const bad = await startWorker({ ...live, SELLER_API_KEY: SELLER_KEY, ORDERS_PER_MINUTE_PER_IP: '0' }, { env: null, expectStatus: 503 });
    try {
      const r = await client(bad).call('GET', '/v1/health');
      assert.match(r.json.error.message, /public test key, which only test mode \(SANDBOX=true\) accepts/);
      assert.match(r.json.error.message, /ORDERS_PER_MINUTE_PER_IP must be a whole number from 1/);
      assert.ok(!r.text.includes('up_key') && !r.text.includes('"0"'), r.text);
    } finally {
      await bad.stop();
    }
  });
});

describe('orders on the sandbox', () => {
  const api = useWorker({ ORDERS_PER_MINUTE_PER_IP: '1000', READS_PER_MINUTE_PER_IP: '1000' });
  const seller = () => ({ headers: api.seller });
  const pay = (o, amount, confirmations = 0) =>
    api.call('POST', `/v1/sandbox/orders/${o.id}/pay`, { body: { amount, confirmations }, headers: { 'X-Client-Secret': o.client_secret } });
  const foundersFree = async () => (await api.call('GET', '/v1/products/prod_founders')).json.data.in_stock;

  test('refunding a confirming order gives its key back to stock', async () => {
    const o = (await api.createOrder(FOUNDERS)).json.data;
    assert.equal((await pay(o, o.crypto_amount)).json.data.status, 'confirming');
    assert.equal(await foundersFree(), false);
    const refunded = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'refunded' }, ...seller() });
    assert.equal(refunded.status, 200, refunded.text);
    assert.equal(await foundersFree(), true, 'the key is available again');
    const next = await api.createOrder(FOUNDERS);
    assert.equal(next.status, 201, next.text);
    await api.call('PATCH', `/v1/orders/${next.json.data.id}`, { body: { status: 'cancelled' }, ...seller() });
  });

  test('when the store fails once, the release is retried until it lands, exactly once', async () => {
    const o = (await api.createOrder(FOUNDERS)).json.data;
    assert.equal((await pay(o, o.crypto_amount)).json.data.status, 'confirming');
    const fault = await api.call('POST', '/v1/sandbox/faults', { body: { store_updates: 1 }, ...seller() });
    assert.equal(fault.status, 200, fault.text);
    const refunded = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'refunded' }, ...seller() });
    assert.equal(refunded.status, 200, refunded.text);
    assert.equal(refunded.json.data.status, 'refunded');
    await eventually(foundersFree, 15_000, 'the key back in stock after the retry');
    const listed = await api.call('GET', '/v1/orders?product_id=prod_founders&status=refunded', seller());
    assert.ok(listed.json.data.some((x) => x.id === o.id), 'the seller sees it refunded');
    // One key, released once: exactly one more order can have it.
    const [a, b] = await Promise.all([api.createOrder(FOUNDERS), api.createOrder(FOUNDERS)]);
    assert.deepEqual([a.status, b.status].sort(), [201, 422]);
    const holder = [a, b].find((r) => r.status === 201).json.data;
    await api.call('PATCH', `/v1/orders/${holder.id}`, { body: { status: 'cancelled' }, ...seller() });
  });

  // A create whose request dies between the reservation and the order: nobody retries it.
  test('a reservation whose order was never made is undone by the store, and its key sold again', async () => {
    const fault = await api.call('POST', '/v1/sandbox/faults', { body: { lost_reservations: 1 }, ...seller() });
    assert.equal(fault.status, 200, fault.text);
    const key = { 'Idempotency-Key': `lost-${Date.now()}` };
    const lost = await api.call('POST', '/v1/orders', { body: FOUNDERS, headers: { 'CF-Connecting-IP': '203.0.113.77', ...key } });
    assert.equal(lost.status, 500, lost.text);
    assert.equal(await foundersFree(), false, 'the key is held by the reservation');
    const listed = async () => (await api.call('GET', '/v1/orders?product_id=prod_founders&status=pending', seller())).json.data;
    let ghost;
    for (const o of await listed()) {
      if ((await api.call('GET', `/v1/orders/${o.id}`, seller())).status === 404) ghost = o;
    }
    assert.ok(ghost, 'the index lists the order the request never made');
    // The store's sweep finds no order for it (after 15 s) and gives everything back.
    await eventually(foundersFree, 25_000, 'the key back in stock');
    const row = await api.call('GET', `/v1/orders/${ghost.id}`, seller());
    assert.equal(row.status, 404);
    assert.ok(!(await listed()).some((o) => o.id === ghost.id), 'the index row is gone');
    // The undone reservation's key is free, so the same request is an order afresh.
    const again = await api.call('POST', '/v1/orders', { body: FOUNDERS, headers: { 'CF-Connecting-IP': '203.0.113.77', ...key } });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.headers.get('idempotent-replayed'), null);
    await api.call('PATCH', `/v1/orders/${again.json.data.id}`, { body: { status: 'cancelled' }, ...seller() });
  });

  test('a retry with the same key after a lost reservation waits, then makes the order once', async () => {
    await api.call('POST', '/v1/sandbox/faults', { body: { lost_reservations: 1 }, ...seller() });
    const key = { 'Idempotency-Key': `retried-${Date.now()}` };
    const send = () => api.call('POST', '/v1/orders', { body: FOUNDERS, headers: { 'CF-Connecting-IP': '203.0.113.78', ...key } });
    assert.equal((await send()).status, 500);
    const early = await send();
    assert.equal(early.status, 409, early.text);
    assert.equal(early.json.error.code, 'idempotency_in_progress');
    assert.ok(Number(early.headers.get('retry-after')) >= 1);
    // The buyer's client does as Retry-After says, until the first request is given up.
    let made = early;
    for (let i = 0; i < 5 && made.status === 409; i++) {
      await wait(Number(made.headers.get('retry-after')) * 1000);
      made = await send();
    }
    assert.equal(made.status, 201, made.text);
    const replayed = await send();
    assert.equal(replayed.json.data.id, made.json.data.id, 'then the same order is replayed');
    assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
    await api.call('PATCH', `/v1/orders/${made.json.data.id}`, { body: { status: 'cancelled' }, ...seller() });
  });

  // A create whose order is stored but whose answer is lost on the way back from the order's
  // object: the creating request finds the order and answers it, and a retry gets the same one.
  test('an order stored whose answer was lost is answered whole, held once, and replayed to a retry', async () => {
    const fault = await api.call('POST', '/v1/sandbox/faults', { body: { lost_creates: 1 }, ...seller() });
    assert.equal(fault.status, 200, fault.text);
    assert.equal(fault.json.lost_creates, 1);
    const email = `answer-lost-${Date.now()}@example.com`;
    const headers = { 'CF-Connecting-IP': '203.0.113.79', 'Idempotency-Key': `answer-lost-${Date.now()}` };
    const send = () => api.call('POST', '/v1/orders', { body: { ...FOUNDERS, buyer_email: email }, headers });
    const first = await send();
    assert.equal(first.status, 201, first.text);
    const o = first.json.data;
    assert.equal(o.status, 'pending');
    assert.ok(o.client_secret && o.payment_uri, 'the whole order, as any create answers it');
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const read = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.data.crypto_amount, o.crypto_amount);
    // The buyer never saw that answer either, and sends the create again.
    const retry = await send();
    assert.equal(retry.status, 201, retry.text);
    assert.equal(retry.json.data.id, o.id, 'the same order');
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    // One order, one key held: the product's only key is out of stock until it is cancelled.
    const mine = (await api.call('GET', `/v1/orders?email=${encodeURIComponent(email)}`, seller())).json.data;
    assert.deepEqual(mine.map((x) => x.id), [o.id]);
    assert.equal(await foundersFree(), false);
    const other = await api.createOrder(FOUNDERS);
    assert.equal(other.status, 422, other.text);
    assert.equal(other.json.error.code, 'out_of_stock');
    await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'cancelled' }, ...seller() });
    await eventually(foundersFree, 15_000, 'the key back in stock after the cancel');
  });

  test('an amount no decimal can hold is a 422, twice, and the order lives on', async () => {
    const o = (await api.createOrder(ORDER)).json.data;
    const huge = '79228162514264337593543950335';
    for (let i = 0; i < 2; i++) {
      const r = await pay(o, huge);
      assert.equal(r.status, 422, r.text);
      assert.deepEqual(r.json.error.invalid_fields, ['amount']);
    }
    const read = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
    assert.equal(read.status, 200);
    assert.equal(read.json.data.amount_paid, '0');
  });

  test('one order may not hold a whole stock list', async () => {
    const r = await api.createOrder({ ...ORDER, quantity: 100 });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.json.error.invalid_fields, ['quantity']);
    assert.equal((await api.call('GET', '/v1/products/prod_xyz789')).json.data.max_quantity, 10);
  });

  test('a coupon that takes the whole price completes the order at once, with its key', async () => {
    const r = await api.createOrder({ ...ORDER, coupon_code: 'GIFT100' });
    assert.equal(r.status, 201, r.text);
    const o = r.json.data;
    assert.equal(o.status, 'completed');
    assert.equal(o.total_amount, '0.00');
    assert.equal(o.crypto_amount, null);
    assert.equal(o.payment_uri, null);
    assert.match(o.delivered_content, /^TG-/);
  });

  test('an Idempotency-Key belongs to the client that sent it', async () => {
    const key = `scoped-${Math.random()}`;
    const first = await api.createOrder(ORDER, { 'Idempotency-Key': key, 'CF-Connecting-IP': '203.0.113.50' });
    assert.equal(first.status, 201, first.text);
    const mine = await api.createOrder(ORDER, { 'Idempotency-Key': key, 'CF-Connecting-IP': '203.0.113.50' });
    assert.equal(mine.headers.get('idempotent-replayed'), 'true');
    assert.equal(mine.json.data.id, first.json.data.id);
    // Someone else replaying the key and body gets an order of their own, not the secret.
    const theirs = await api.createOrder(ORDER, { 'Idempotency-Key': key, 'CF-Connecting-IP': '198.51.100.77' });
    assert.equal(theirs.status, 201);
    assert.notEqual(theirs.json.data.id, first.json.data.id);
    assert.notEqual(theirs.json.data.client_secret, first.json.data.client_secret);
  });
  test('a chunked body is refused at the limit, without waiting for its end', async () => {
    // To workerd's own socket, as the webhook's below: wrangler's dev proxy (not part of a
    // deployment) may answer 503, or restart the worker, when cut off from an upload.
    assert.equal(await endlessPost(`${await directBase(api.worker)}/v1/quote`), 413);
  });
});

describe('limits per client', () => {
  const api = useWorker({ ORDERS_PER_MINUTE_PER_IP: '3', READS_PER_MINUTE_PER_IP: '10', IDEMPOTENCY_SECONDS: '2' });

  test('rotating IPv6 addresses within one /64 shares one order limit', async () => {
    const statuses = [];
    for (const ip of ['2001:db8:7:1::1', '2001:db8:7:1::2', '2001:db8:7:1:aaaa::3', '2001:db8:7:1:ffff:1:2:3']) {
      statuses.push((await api.createOrder(ORDER, { 'CF-Connecting-IP': ip })).status);
    }
    assert.deepEqual(statuses, [201, 201, 201, 429]);
    assert.equal((await api.createOrder(ORDER, { 'CF-Connecting-IP': '2001:db8:7:2::1' })).status, 201, 'another /64');
  });

  test('a quote flood from one client gets 429 with Retry-After; other clients are served', async () => {
    const quote = (ip) => api.call('POST', '/v1/quote', { body: { ...ORDER, coupon_code: `GUESS${Math.random()}` }, headers: { 'CF-Connecting-IP': ip } });
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await quote('203.0.113.9'));
    assert.ok(answers.slice(0, 10).every((r) => r.status === 422), 'unknown coupons, told as such');
    const limited = answers.at(-1);
    assert.equal(limited.status, 429, limited.text);
    assert.equal(limited.json.error.code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await api.call('GET', '/v1/products/prod_xyz789', { headers: { 'CF-Connecting-IP': '203.0.113.9' } })).status, 429);
    assert.equal((await quote('203.0.113.10')).status, 422);
  });

  test('an Idempotency-Key is forgotten after IDEMPOTENCY_SECONDS', async () => {
    const headers = { 'Idempotency-Key': 'short-lived', 'CF-Connecting-IP': '203.0.113.60' };
    const first = await api.createOrder(ORDER, headers);
    assert.equal((await api.createOrder(ORDER, headers)).json.data.id, first.json.data.id);
    await wait(3500);
    const later = await api.createOrder(ORDER, headers);
    assert.equal(later.status, 201, later.text);
    assert.notEqual(later.json.data.id, first.json.data.id);
  });
});

describe('upstream orders stay whole across waits', () => {
  const run = useUpstreamWorker('sellgate', { UPSTREAM_TIMEOUT_MS: '8000', UPSTREAM_REFRESH_SECONDS: '1', INVOICE_SECONDS: '3' });
  const { api } = run;
  const seller = (o) => api.call('GET', `/v1/orders/${o.id}`, { headers: api.seller });
  const indexed = async (id) => (await api.call('GET', '/v1/orders?limit=100', { headers: api.seller })).json.data.find((x) => x.id === id);

  test('a cancel during a slow create stands: the order is not reopened and the key is never delivered', async () => {
    run.fake.fail('slow', 1, (r) => r.method === 'POST');
    const creating = api.createOrder(FOUNDERS);
    await wait(1000);
    const listed = await api.call('GET', '/v1/orders?product_id=prod_founders&status=pending', { headers: api.seller });
    const o = listed.json.data[0];
    const cancelled = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'cancelled' }, headers: api.seller });
    assert.equal(cancelled.status, 200, cancelled.text);
    const created = await creating;
    assert.equal(created.json.data.status, 'cancelled', created.text);
    assert.equal(created.json.data.payment_address, null, 'no address for a cancelled order');
    // The provider's order (made anyway) is paid: the order stays cancelled and delivers nothing.
    run.fake.pay(o.id, { confirmations: 6 });
    await wait(2500);
    const later = (await seller(o)).json.data;
    assert.equal(later.status, 'cancelled');
    assert.equal(later.delivered_content, null);
    assert.equal((await api.call('GET', '/v1/products/prod_founders')).json.data.in_stock, true);
  });

  test('a retry with the same key after expiry opens nothing at the provider', async () => {
    run.fake.fail(500, 1, (r) => r.method === 'POST');
    const headers = { 'Idempotency-Key': `late-${Math.random()}`, 'CF-Connecting-IP': '203.0.113.70' };
    assert.equal((await api.createOrder(ORDER, headers)).status, 503);
    await wait(4500);
    const creates = run.fake.calls('POST').length;
    const retry = await api.createOrder(ORDER, headers);
    assert.equal(retry.status, 201, retry.text);
    assert.equal(retry.json.data.status, 'expired');
    assert.equal(run.fake.calls('POST').length, creates, 'no upstream create');
  });

  test('a confirming order nobody watches is read until it completes', async () => {
    const o = (await api.createOrder(ORDER)).json.data;
    run.fake.pay(o.id, { confirmations: 0 });
    await eventually(async () => (await indexed(o.id))?.status === 'confirming', 10_000, 'confirming, with nobody polling');
    run.fake.confirm(o.id, 6);
    const done = await eventually(async () => {
      const x = await indexed(o.id);
      return x?.status === 'completed' && x;
    }, 5_000, 'completed in the seller list within the refresh interval');
    assert.ok(done.delivered_content);
  });

  test('a chunked webhook body is refused at 64 KB, without waiting for its end', async () => {
    const o = (await api.createOrder(ORDER)).json.data;
    await warm(run.worker);
    // To workerd's own socket (see 'a chunked body is refused at the limit').
    const base = await directBase(run.worker);
    assert.equal(await endlessPost(`${base}/v1/webhooks/sellgate?order=${o.id}`), 413);
  });
});

describe('SellSN prices the order itself', () => {
  // Read on every request: only the secret check stands between a stranger and the quota.
  const run = useUpstreamWorker('sellsn', { UPSTREAM_REFRESH_SECONDS: '0' });
  const { api } = run;

  test('a wrong client secret is 404 before the provider is asked', async () => {
    const o = (await api.createOrder(ORDER)).json.data;
    const path = `/${run.fake.byRef(o.id).id}`;
    const reads = () => run.fake.calls('GET').filter((c) => c.path.endsWith(path)).length;
    const before = reads();
    for (let i = 0; i < 5; i++) {
      const r = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': 'cs_wrong' } });
      assert.equal(r.status, 404);
      assert.equal(r.json.error.code, 'order_not_found');
    }
    assert.ok(reads() - before <= 1, `${reads() - before} reads for wrong secrets (an alarm may make one)`);
    const right = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
    assert.equal(right.status, 200);
  });

  test('the buyer sees what SellSN charges, and a coupon it would ignore is refused', async () => {
    run.fake.charge = '31.49';
    const r = await api.createOrder(ORDER);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.data.total_amount, '31.49');
    const coupon = await api.createOrder({ ...ORDER, coupon_code: 'SAVE10' });
    assert.equal(coupon.status, 422, coupon.text);
    assert.deepEqual(coupon.json.error.invalid_fields, ['coupon_code']);
  });
});
