// The orders API in front of each upstream provider's stand-in: what is sent upstream, how
// answers and webhooks move the order, and what a failing provider does to the buyer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, eventually } from '../support/worker.mjs';
import { useUpstreamWorker, PROVIDERS, HOSTED, IDEMPOTENT, WEBHOOKS, DOCUMENTED, API_KEY, MERCHANT } from '../support/upstream.mjs';

const ORDER = { product_id: 'prod_xyz789', buyer_email: 'buyer@example.com', payment_method: 'crypto_btc' };
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

// TOLLGATE_PROVIDERS=sellix,selly runs a subset while working on one adapter.
const chosen = process.env.TOLLGATE_PROVIDERS?.split(',').filter((p) => PROVIDERS.includes(p)) ?? PROVIDERS;

for (const provider of chosen) {
  describe(provider, () => {
    const run = useUpstreamWorker(provider, { UPSTREAM_REFRESH_SECONDS: '0', ORDERS_PER_MINUTE_PER_IP: '1000' });
    const { api } = run;

    const create = async (body = ORDER, headers = {}) => {
      const r = await api.createOrder(body, { 'Idempotency-Key': `k-${Math.random()}`, ...headers });
      return r;
    };
    const buyerRead = (o) => api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });

    test('create sends the order upstream with the key in a header, never in the URL', async () => {
      const before = run.fake.calls('POST').length;
      const r = await create();
      assert.equal(r.status, 201, r.text);
      const o = r.json.data;
      const sent = run.fake.calls('POST').slice(before);
      assert.equal(sent.length, 1);
      const req = sent[0];
      assert.ok(!req.url.includes(API_KEY), req.url);
      assert.match(req.headers.authorization, new RegExp(API_KEY));
      assert.equal(req.headers['idempotency-key'], o.id);
      const up = run.fake.byRef(o.id);
      assert.ok(up, 'the provider knows the order by Tollgate’s id');
      assert.equal(up.email, 'buyer@example.com');
      if (provider !== 'sellgate' && provider !== 'sellsn') assert.equal(up.price, '29.99');
      if (WEBHOOKS.has(provider)) assert.equal(up.callback, `${run.worker.base}/v1/webhooks/${provider}?order=${o.id}`);
      if (HOSTED.has(provider)) {
        assert.equal(o.checkout_url, up.checkout);
        assert.equal(o.payment_address, null);
        assert.equal(o.crypto_amount, null);
      } else {
        assert.equal(o.payment_address, up.address);
        assert.equal(o.crypto_amount, up.amount);
        assert.equal(o.payment_uri, `bitcoin:${up.address}?amount=${up.amount.replace(/0+$/, '')}`);
      }
      // Nothing of the provider's reaches the buyer: no upstream id, key or token.
      for (const secret of [String(up.id), API_KEY, up.token].filter(Boolean)) {
        assert.ok(!r.text.includes(secret), `the buyer's view carries ${secret}`);
      }
      assert.equal(o.buyer_email, 'b***@example.com');
    });

    test('a whole purchase, driven by the provider', async () => {
      const o = (await create()).json.data;
      run.fake.pay(o.id, { amount: run.fake.byRef(o.id).amount, confirmations: 1 });
      let v = (await buyerRead(o)).json.data;
      assert.equal(v.status, 'confirming');
      if (!HOSTED.has(provider)) assert.equal(v.amount_paid, run.fake.byRef(o.id).amount);
      run.fake.confirm(o.id, 2);
      v = (await buyerRead(o)).json.data;
      assert.equal(v.status, 'completed');
      // The provider's delivery where it has one, else the store's own stock.
      if (provider === 'coingate') assert.match(v.delivered_content, /^TG-/);
      else assert.equal(v.delivered_content, run.fake.byRef(o.id).deliverable);
      const seller = await api.call('GET', `/v1/orders/${o.id}`, { headers: api.seller });
      assert.equal(seller.json.data.status, 'completed');
      assert.equal(seller.json.data.buyer_email, 'buyer@example.com');
      // The seller sees which provider has the order, and its id there.
      assert.deepEqual(seller.json.data.upstream, { provider, id: String(run.fake.byRef(o.id).id) });
    });

    // White-label providers only: on a hosted page the provider handles part payments itself.
    if (!HOSTED.has(provider)) test('a part payment leaves exactly the remainder to pay', async () => {
      const o = (await create()).json.data;
      run.fake.pay(o.id, { amount: '0.00020000' });
      const v = (await buyerRead(o)).json.data;
      assert.equal(v.status, 'pending');
      assert.equal(v.amount_paid, '0.00020000');
      assert.equal(v.amount_remaining, '0.00025200');
      assert.match(v.payment_uri, /\?amount=0\.000252$/);
    });

    test('every documented status maps', async () => {
      for (const [raw, expected] of Object.entries(DOCUMENTED[provider])) {
        const o = (await create()).json.data;
        run.fake.update(o.id, { raw: provider === 'selly' ? Number(raw) : raw });
        // A follow-up read on the order's alarm may be under way: a poll meanwhile gets what
        // was known, so the news shows on the next one.
        let r = await buyerRead(o);
        for (let i = 0; i < 10 && r.status === 200 && r.json.data.status !== expected; i++) {
          await new Promise((done) => setTimeout(done, 200));
          r = await buyerRead(o);
        }
        assert.equal(r.status, 200, `${raw}: ${r.text}`);
        assert.equal(r.json.data.status, expected, raw);
      }
    });

    test('a provider that does not answer, fails, limits or talks nonsense', async () => {
      const cases = [
        ['timeout', 503, 'upstream_unavailable'],
        [500, 503, 'upstream_unavailable'],
        [429, 503, 'upstream_unavailable'],
        ['malformed', 502, 'upstream_error'],
        ['unknown_status', 502, 'upstream_error'],
      ];
      for (const [kind, status, code] of cases) {
        // On a read: the buyer is told to come back, the order is untouched. An outage, not a
        // one-off failure: the order's alarm may read it first.
        const o = (await create()).json.data;
        const heal = run.fake.failFor(kind, 30_000, run.fake.about(o.id));
        const r = await buyerRead(o);
        heal();
        assert.equal(r.status, status, `${kind}: ${r.text}`);
        assert.equal(r.json.error.code, code, kind);
        assert.ok(Number(r.headers.get('retry-after')) >= 1, kind);
        assert.ok(!r.text.includes(API_KEY));
        // Healed, the next read answers, or the one after: a read begun in the outage (the
        // alarm's) may still be waiting out its timeout, and a buyer's read meanwhile shares it.
        let again;
        await eventually(async () => (again = await buyerRead(o)).status === 200, 15_000, `${kind}: a read once healed`);
        assert.equal(again.json.data.status, 'pending');
      }
      // On a create: the same answers, and a retry with the same key makes no second order,
      // whether the provider honours the key or Tollgate searches for what the lost create made.
      for (const [kind, status, code] of cases) {
        const key = `retry-${kind}-${Math.random()}`;
        const ip = api.nextIp();
        const creates = run.fake.calls('POST').length;
        const upstreamOrders = run.fake.orders.size;
        run.fake.fail(kind, 1, (r) => r.method === 'POST');
        const first = await api.createOrder(ORDER, { 'Idempotency-Key': key, 'CF-Connecting-IP': ip });
        assert.equal(first.status, status, `${kind}: ${first.text}`);
        assert.equal(first.json.error.code, code);
        assert.ok(Number(first.headers.get('retry-after')) >= 1);
        if (kind === 'timeout') await wait(2000); // the late answer lands upstream meanwhile
        const retry = await api.createOrder(ORDER, { 'Idempotency-Key': key, 'CF-Connecting-IP': ip });
        assert.equal(retry.status, 201, `${kind} retry: ${retry.text}`);
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        const made = kind === 'timeout' || kind === 'malformed' || kind === 'unknown_status';
        assert.equal(run.fake.calls('POST').length - creates, made && !IDEMPOTENT.has(provider) ? 1 : 2, kind);
        assert.equal(run.fake.orders.size, upstreamOrders + 1, `${kind}: one upstream order`);
        assert.equal(run.fake.byRef(retry.json.data.id).ref, retry.json.data.id);
      }
    });

    test('every call to the provider carried the key in its header and never in its URL', () => {
      const calls = run.fake.calls();
      assert.ok(calls.length > 30, `${calls.length} calls`);
      const expected = provider === 'coingate' ? `Token ${API_KEY}` : `Bearer ${API_KEY}`;
      for (const c of calls) {
        assert.equal(c.headers.authorization, expected, `${c.method} ${c.url}`);
        assert.ok(!c.url.includes(API_KEY) && !c.body.includes(API_KEY), `${c.method} ${c.url}`);
      }
      if (provider === 'sellix') assert.ok(calls.every((c) => c.headers['x-sellix-merchant'] === MERCHANT));
    });

    // SellGate and SellSN document no webhooks Tollgate can verify: their orders are polled.
    if (WEBHOOKS.has(provider)) test('webhooks: signed news applies at once; forged, unsigned, stale and foreign ones are refused; replays change nothing', async () => {
      const o = (await create()).json.data;
      const early = run.fake.webhookRequest(o.id);
      // News of a payment, signed well and badly; the provider's API meanwhile still says pending.
      run.fake.pay(o.id, { amount: run.fake.byRef(o.id).amount, confirmations: 5 });
      const paid = run.fake.webhookRequest(o.id);
      const forged = run.fake.webhookRequest(o.id, provider === 'coingate' ? { token: 'not-the-token' } : { sign: 'forged' });
      const unsigned = provider === 'coingate'
        ? run.fake.webhookRequest(o.id, { body: `id=${run.fake.byRef(o.id).id}&status=paid` })
        : run.fake.webhookRequest(o.id, { sign: false });
      run.fake.update(o.id, { phase: 'pending', paid: null, confirmations: 0, delivered: null });
      const answered = async (w, status) => {
        const r = await run.fake.webhook(o.id, w);
        assert.equal(r.status, status, JSON.stringify(r.json));
        return r;
      };
      await answered(forged, 401);
      await answered(unsigned, 401);
      const seller = () => api.call('GET', `/v1/orders/${o.id}`, { headers: api.seller });
      assert.equal((await seller()).json.data.status, 'pending', 'a refused webhook changed the order');
      const good = await answered(paid, 200);
      assert.equal(good.json.status, 'completed');
      // Reads of this order only: other orders' scheduled reads go on meanwhile.
      const upstreamId = String(run.fake.byRef(o.id).id);
      const readsOfIt = () => run.fake.calls('GET').filter((c) => c.path.split(/[/?]/).includes(upstreamId)).length;
      const reads = readsOfIt();
      const replay = await fetch(paid.url, { method: 'POST', headers: paid.headers, body: paid.body });
      assert.equal(replay.status, 200);
      assert.equal((await replay.json()).replay, true);
      assert.equal(readsOfIt(), reads, 'a webhook costs no upstream read');
      // Older news than the order is known by, where the provider dates its webhooks.
      if (provider !== 'coingate') {
        const stale = await answered(early, 401);
        assert.equal(stale.json.error.code, 'stale_webhook');
        assert.equal((await seller()).json.data.status, 'completed');
      }
      // Another order's (genuine) webhook sent to this order is refused.
      const other = (await create()).json.data;
      const misdirected = await fetch(`${run.worker.base}/v1/webhooks/${provider}?order=${other.id}`, { method: 'POST', headers: paid.headers, body: paid.body });
      assert.equal(misdirected.status, 401);
      // Webhooks for another provider, or for no order of ours, find nothing.
      const elsewhere = PROVIDERS.find((p) => p !== provider);
      assert.equal((await fetch(`${run.worker.base}/v1/webhooks/${elsewhere}?order=${o.id}`, { method: 'POST', body: '{}' })).status, 404);
      assert.equal((await fetch(`${run.worker.base}/v1/webhooks/${provider}?order=ord_x`, { method: 'POST', body: '{}' })).status, 404);
    });
  });
}

describe('configuration', () => {
  test('a selected gateway with its secrets missing refuses to serve, naming what is missing', async () => {
    const w = await startWorker({ GATEWAY: 'sellsn' }, { expectStatus: 503 });
    try {
      const r = await fetch(`${w.base}/v1/health`);
      assert.equal(r.status, 503);
      const body = await r.json();
      assert.equal(body.error.code, 'misconfigured');
      assert.match(body.error.message, /UPSTREAM_API_KEY is not set/);
      assert.match(body.error.message, /SELLSN_STORE_ID is not set/);
    } finally {
      await w.stop();
    }
  });
});

describe('invoice lifetime', () => {
  const run = useUpstreamWorker('sellix', { INVOICE_SECONDS: '2', UPSTREAM_REFRESH_SECONDS: '60' });
  const { api } = run;

  test('at expiry the provider is asked, and decides: a pending invoice stays open until it lapses there', async () => {
    // The one numbered copy: held by this order while it is open.
    const inStock = async () => (await api.call('GET', '/v1/products/prod_founders')).json.data.in_stock;
    const created = await api.createOrder({ ...ORDER, product_id: 'prod_founders' }, { 'Idempotency-Key': 'lifetime-1' });
    assert.equal(created.status, 201, created.text);
    const o = created.json.data;
    assert.equal(await inStock(), false);
    const reads = run.fake.calls('GET').length;
    await wait(4000);
    assert.equal(run.fake.calls('GET').length, reads + 1, 'the expiry alarm reads the provider once');
    const seller = () => api.call('GET', `/v1/orders/${o.id}`, { headers: api.seller });
    assert.equal((await seller()).json.data.status, 'pending');
    assert.equal(await inStock(), false);
    // The provider voids it: its webhook says so, and the order expires here too.
    run.fake.update(o.id, { phase: 'expired' });
    run.fake.byRef(o.id).updatedAt += 1;
    const voided = await run.fake.webhook(o.id);
    assert.equal(voided.status, 200, JSON.stringify(voided.json));
    assert.equal((await seller()).json.data.status, 'expired');
    // The copy it held is free again for the next buyer.
    assert.equal(await inStock(), true);
  });
});
