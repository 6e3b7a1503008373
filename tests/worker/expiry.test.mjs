// A worker with a 3-second invoice lifetime, a low per-IP order limit and one allowed origin:
// expiry through the Durable Object alarm, late payments, rate limiting, refused origins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorker } from '../support/worker.mjs';

const api = useWorker({ INVOICE_SECONDS: '3', ORDERS_PER_MINUTE_PER_IP: '3', ALLOWED_ORIGINS: 'https://shop.example' });

const founders = { product_id: 'prod_founders', buyer_email: 'late@example.com', payment_method: 'crypto_btc' };

async function waitForStatus(order, status, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await api.call('GET', `/v1/orders/${order.id}`, { headers: { 'X-Client-Secret': order.client_secret } });
    if (r.json.data.status === status) return r.json.data;
    if (Date.now() > deadline) assert.fail(`still ${r.json.data.status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('an unpaid order expires at expires_at; its stock returns; a late payment is kept', async () => {
  const created = await api.createOrder(founders);
  assert.equal(created.status, 201, created.text);
  const o = created.json.data;
  assert.equal(Date.parse(o.expires_at) - Date.parse(o.created_at), 3000);
  assert.equal((await api.call('GET', '/v1/products/prod_founders')).json.data.in_stock, false);

  const expired = await waitForStatus(o, 'expired');
  assert.equal(expired.delivered_content, null);
  assert.equal((await api.call('GET', '/v1/products/prod_founders')).json.data.in_stock, true, 'the key went back to stock');

  const late = await api.call('POST', `/v1/sandbox/orders/${o.id}/pay`, {
    body: { amount: o.crypto_amount, confirmations: 3 }, headers: { 'X-Client-Secret': o.client_secret },
  });
  assert.equal(late.status, 200, late.text);
  assert.equal(late.json.data.status, 'expired');
  assert.equal(late.json.data.amount_paid, '0.00299423');
  const seller = await api.call('GET', `/v1/orders/${o.id}`, { headers: api.seller });
  assert.equal(seller.json.data.late_amount_paid, '0.00299423', 'the seller sees the late payment');
  const completed = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'completed' }, headers: api.seller });
  assert.equal(completed.status, 409);
  assert.equal(completed.json.error.message, 'an order cannot go from expired to completed');
  const refunded = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'refunded' }, headers: api.seller });
  assert.equal(refunded.json.data.status, 'refunded');
});

test('a confirming order does not expire', async () => {
  const o = (await api.createOrder({ ...founders, product_id: 'prod_xyz789' })).json.data;
  await api.call('POST', `/v1/sandbox/orders/${o.id}/pay`, { body: { amount: o.crypto_amount, confirmations: 0 }, headers: { 'X-Client-Secret': o.client_secret } });
  await new Promise((r) => setTimeout(r, 4500));
  const v = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
  assert.equal(v.json.data.status, 'confirming');
});

test('order creation is rate-limited per client IP', async () => {
  const ip = { 'CF-Connecting-IP': '192.0.2.77' };
  const body = { product_id: 'prod_bundle', variant_id: 'var_personal', buyer_email: 'flood@example.com', payment_method: 'crypto_btc' };
  const before = await api.orderCount();
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await api.call('POST', '/v1/orders', { body, headers: ip }));
  assert.deepEqual(results.map((r) => r.status), [201, 201, 201, 429]);
  const limited = results[3];
  assert.equal(limited.json.error.code, 'rate_limited');
  const retry = Number(limited.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  assert.equal(await api.orderCount(), before + 3, 'the refused order was not made');
  const other = await api.call('POST', '/v1/orders', { body, headers: { 'CF-Connecting-IP': '192.0.2.78' } });
  assert.equal(other.status, 201, 'another address is not affected');
});

test('CORS: a listed origin is allowed, another refused', async () => {
  const ok = await fetch(`${api.base}/v1/quote`, { method: 'OPTIONS', headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://shop.example');
  const refused = await fetch(`${api.base}/v1/quote`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  const get = await fetch(`${api.base}/v1/products/prod_xyz789`, { headers: { Origin: 'https://evil.example' } });
  assert.equal(get.headers.get('access-control-allow-origin'), null);
});

test('a part payment then expiry leaves money the seller can record as refunded', async () => {
  const o = (await api.createOrder({ ...founders, product_id: 'prod_xyz789', buyer_email: 'part@example.com' })).json.data;
  const part = await api.call('POST', `/v1/sandbox/orders/${o.id}/pay`, {
    body: { amount: '0.0001', confirmations: 1 },
    headers: { 'X-Client-Secret': o.client_secret },
  });
  assert.equal(part.status, 200, part.text);
  await waitForStatus(o, 'expired');
  const refunded = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'refunded' }, headers: api.seller });
  assert.equal(refunded.status, 200, refunded.text);
  assert.equal(refunded.json.data.status, 'refunded');
  assert.equal(refunded.json.data.amount_paid, '0.0001');
});
