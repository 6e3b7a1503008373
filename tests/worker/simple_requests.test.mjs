// A browser's quote and create as simple requests: a `text/plain` JSON body and the
// idempotency key in the query, which need no CORS preflight, so the buyer waits one round
// trip less. With no preflight to check the origin, the worker checks it itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorker } from '../support/worker.mjs';

const SHOP = 'https://shop.example';
const api = useWorker({ ALLOWED_ORIGINS: SHOP, ORDERS_PER_MINUTE_PER_IP: '100' });
const ORDER = { product_id: 'prod_bundle', variant_id: 'var_personal', buyer_email: 'simple@example.com', payment_method: 'crypto_btc' };
const plain = (origin, ip) => ({ 'Content-Type': 'text/plain;charset=UTF-8', 'CF-Connecting-IP': ip, ...(origin ? { Origin: origin } : {}) });

test('a text/plain create from an allowed origin is an order, and its query key replays it', async () => {
  const send = () => api.call('POST', '/v1/orders?idempotency_key=simple-1', { raw: JSON.stringify(ORDER), headers: plain(SHOP, '203.0.113.90') });
  const first = await send();
  assert.equal(first.status, 201, first.text);
  assert.equal(first.headers.get('access-control-allow-origin'), SHOP);
  assert.equal(first.json.data.total_amount, '19.00');
  const again = await send();
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.data.id, first.json.data.id);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  // The same key with another body is the usual conflict.
  const other = await api.call('POST', '/v1/orders?idempotency_key=simple-1', { raw: JSON.stringify({ ...ORDER, quantity: 2 }), headers: plain(SHOP, '203.0.113.90') });
  assert.equal(other.status, 409, other.text);
  assert.equal(other.json.error.code, 'idempotency_conflict');
});

test('a text/plain quote from an allowed origin is priced as a JSON one', async () => {
  const body = { product_id: 'prod_bundle', variant_id: 'var_personal', payment_method: 'crypto_btc' };
  const asPlain = await api.call('POST', '/v1/quote', { raw: JSON.stringify(body), headers: plain(SHOP, '203.0.113.91') });
  const asJson = await api.call('POST', '/v1/quote', { body, headers: { 'CF-Connecting-IP': '203.0.113.91' } });
  assert.equal(asPlain.status, 200, asPlain.text);
  assert.equal(asPlain.json.data.breakdown.total, '19.00');
  assert.deepEqual(asPlain.json.data, asJson.json.data);
});

test('a text/plain body from another origin, or from no browser, is refused and makes nothing', async () => {
  const before = await api.orderCount();
  const other = await api.call('POST', '/v1/orders?idempotency_key=simple-2', { raw: JSON.stringify(ORDER), headers: plain('https://elsewhere.example', '203.0.113.92') });
  assert.equal(other.status, 403, other.text);
  assert.equal(other.json.error.code, 'origin_not_allowed');
  const quote = await api.call('POST', '/v1/quote', { raw: JSON.stringify(ORDER), headers: plain('https://elsewhere.example', '203.0.113.92') });
  assert.equal(quote.status, 403, quote.text);
  const none = await api.call('POST', '/v1/orders', { raw: JSON.stringify(ORDER), headers: plain(null, '203.0.113.92') });
  assert.equal(none.status, 415, none.text);
  assert.equal(none.json.error.code, 'unsupported_media_type');
  assert.equal(await api.orderCount(), before);
});

test('a bad key in the query is named like a bad header', async () => {
  const r = await api.call('POST', `/v1/orders?idempotency_key=${'x'.repeat(300)}`, { raw: JSON.stringify(ORDER), headers: plain(SHOP, '203.0.113.93') });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, 'invalid_idempotency_key');
});
