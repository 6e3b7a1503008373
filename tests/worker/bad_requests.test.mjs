// Bad input gets a clear 4xx error with a code (and the fields at fault) and creates nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorker } from '../support/worker.mjs';

const api = useWorker();

const good = { product_id: 'prod_xyz789', buyer_email: 'buyer@example.com', payment_method: 'crypto_btc' };
const json = (body) => ({ body });
const with_ = (patch) => json({ ...good, ...patch });
const without = (field) => json(Object.fromEntries(Object.entries(good).filter(([k]) => k !== field)));

// [name, method, path, request, status, code, invalid_fields?]
const cases = [
  ['missing product_id', 'POST', '/v1/orders', without('product_id'), 422, 'validation_failed', ['product_id']],
  ['missing buyer_email', 'POST', '/v1/orders', without('buyer_email'), 422, 'validation_failed', ['buyer_email']],
  ['missing payment_method', 'POST', '/v1/orders', without('payment_method'), 422, 'validation_failed', ['payment_method']],
  ['empty body object', 'POST', '/v1/orders', json({}), 422, 'validation_failed', ['product_id', 'payment_method', 'buyer_email']],
  ['body is an array', 'POST', '/v1/orders', json([good]), 422, 'validation_failed', ['body']],
  ['product_id not a string', 'POST', '/v1/orders', with_({ product_id: 42 }), 422, 'validation_failed', ['product_id']],
  ['unknown product', 'POST', '/v1/orders', with_({ product_id: 'prod_nope' }), 422, 'validation_failed', ['product_id']],
  ['bad email', 'POST', '/v1/orders', with_({ buyer_email: 'not-an-email' }), 422, 'validation_failed', ['buyer_email']],
  ['email without domain dot', 'POST', '/v1/orders', with_({ buyer_email: 'a@localhost' }), 422, 'validation_failed', ['buyer_email']],
  ['email not a string', 'POST', '/v1/orders', with_({ buyer_email: ['a@b.co'] }), 422, 'validation_failed', ['buyer_email']],
  ['unknown method', 'POST', '/v1/orders', with_({ payment_method: 'crypto_doge' }), 422, 'validation_failed', ['payment_method']],
  ['method in wrong case', 'POST', '/v1/orders', with_({ payment_method: 'CRYPTO_BTC' }), 422, 'validation_failed', ['payment_method']],
  ['method not enabled for product', 'POST', '/v1/orders', with_({ product_id: 'prod_credits', quantity: 5, payment_method: 'paypal' }), 422, 'validation_failed', ['payment_method']],
  ['quantity zero', 'POST', '/v1/orders', with_({ quantity: 0 }), 422, 'validation_failed', ['quantity']],
  ['quantity negative', 'POST', '/v1/orders', with_({ quantity: -3 }), 422, 'validation_failed', ['quantity']],
  ['quantity fractional', 'POST', '/v1/orders', with_({ quantity: 1.5 }), 422, 'validation_failed', ['quantity']],
  ['quantity as string', 'POST', '/v1/orders', with_({ quantity: '2' }), 422, 'validation_failed', ['quantity']],
  ['quantity huge', 'POST', '/v1/orders', with_({ quantity: 1e12 }), 422, 'validation_failed', ['quantity']],
  ['quantity below product minimum', 'POST', '/v1/orders', with_({ product_id: 'prod_credits', quantity: 4 }), 422, 'validation_failed', ['quantity']],
  ['quantity above product maximum', 'POST', '/v1/orders', with_({ product_id: 'prod_credits', quantity: 501 }), 422, 'validation_failed', ['quantity']],
  ['more than in stock', 'POST', '/v1/orders', with_({ product_id: 'prod_founders', quantity: 2 }), 422, 'out_of_stock', ['quantity']],
  ['variant required', 'POST', '/v1/orders', with_({ product_id: 'prod_bundle' }), 422, 'validation_failed', ['variant_id']],
  ['unknown variant', 'POST', '/v1/orders', with_({ product_id: 'prod_bundle', variant_id: 'var_nope' }), 422, 'validation_failed', ['variant_id']],
  ['unknown coupon', 'POST', '/v1/orders', with_({ coupon_code: 'FREE' }), 422, 'validation_failed', ['coupon_code']],
  ['disabled coupon', 'POST', '/v1/orders', with_({ coupon_code: 'SUMMER' }), 422, 'validation_failed', ['coupon_code']],
  ['coupon for another product', 'POST', '/v1/orders', with_({ coupon_code: 'BUNDLE5' }), 422, 'validation_failed', ['coupon_code']],
  ['coupon not a string', 'POST', '/v1/orders', with_({ coupon_code: 10 }), 422, 'validation_failed', ['coupon_code']],
  ['several fields at once', 'POST', '/v1/orders', with_({ quantity: 0, buyer_email: 'x' }), 422, 'validation_failed', ['quantity', 'buyer_email']],
  ['not JSON', 'POST', '/v1/orders', { raw: '{"product_id":', headers: { 'Content-Type': 'application/json' } }, 400, 'invalid_json'],
  ['form encoded', 'POST', '/v1/orders', { raw: 'product_id=prod_xyz789', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
  ['no content type', 'POST', '/v1/orders', { raw: JSON.stringify(good), headers: { 'Content-Type': 'text/plain' } }, 415, 'unsupported_media_type'],
  ['body over 16 KB', 'POST', '/v1/orders', with_({ padding: 'x'.repeat(17 * 1024) }), 413, 'payload_too_large'],
  ['bad idempotency key', 'POST', '/v1/orders', { body: good, headers: { 'Idempotency-Key': 'x'.repeat(300) } }, 400, 'invalid_idempotency_key', ['Idempotency-Key']],
  ['wrong method on orders', 'DELETE', '/v1/orders', {}, 405, 'method_not_allowed'],
  ['unknown endpoint', 'GET', '/v1/refunds', {}, 404, 'not_found'],
  ['quote with unknown product', 'POST', '/v1/quote', json({ product_id: 'prod_nope', payment_method: 'stripe' }), 422, 'validation_failed', ['product_id']],
  ['product not found', 'GET', '/v1/products/prod_nope', {}, 404, 'product_not_found'],
  ['list without key', 'GET', '/v1/orders', {}, 401, 'unauthorized'],
  ['list with a wrong key', 'GET', '/v1/orders', { headers: { Authorization: 'Bearer nope' } }, 401, 'unauthorized'],
  ['list limit above 100', 'GET', '/v1/orders?limit=101', { headers: { Authorization: 'Bearer sg_test_sandbox' } }, 400, 'invalid_parameter', ['limit']],
  ['list page zero', 'GET', '/v1/orders?page=0', { headers: { Authorization: 'Bearer sg_test_sandbox' } }, 400, 'invalid_parameter', ['page']],
  ['list unknown status', 'GET', '/v1/orders?status=paid', { headers: { Authorization: 'Bearer sg_test_sandbox' } }, 400, 'invalid_parameter', ['status']],
  ['read malformed id', 'GET', '/v1/orders/ord_..%2F..', { headers: { 'X-Client-Secret': 'cs_x' } }, 404, 'order_not_found'],
  ['patch unknown status', 'PATCH', `/v1/orders/ord_${'1'.repeat(32)}`, { body: { status: 'paid' }, headers: { Authorization: 'Bearer sg_test_sandbox' } }, 422, 'invalid_status', ['status']],
  ['patch missing order', 'PATCH', `/v1/orders/ord_${'1'.repeat(32)}`, { body: { status: 'cancelled' }, headers: { Authorization: 'Bearer sg_test_sandbox' } }, 404, 'order_not_found'],
  ['sandbox pay on a missing order', 'POST', `/v1/sandbox/orders/ord_${'2'.repeat(32)}/pay`, { body: { amount: '1' }, headers: { Authorization: 'Bearer sg_test_sandbox' } }, 404, 'order_not_found'],
  ['sandbox pay without auth', 'POST', `/v1/sandbox/orders/ord_${'2'.repeat(32)}/pay`, json({ amount: '1' }), 401, 'unauthorized'],
  ['preflight without an Origin', 'OPTIONS', '/v1/orders', { headers: { 'Access-Control-Request-Method': 'POST' } }, 403, 'origin_not_allowed'],
];

test(`${cases.length} bad requests: each its status and code, and no order made`, async () => {
  assert.ok(cases.length >= 30);
  const before = await api.orderCount();
  for (const [name, method, path, req, status, code, fields] of cases) {
    const r = await api.call(method, path, { ...req, headers: { 'CF-Connecting-IP': api.nextIp(), ...(req.headers || {}) } });
    assert.equal(r.status, status, `${name}: ${r.text}`);
    assert.ok(r.status < 500, name);
    assert.equal(r.json?.error?.code, code, `${name}: ${r.text}`);
    assert.ok(r.json.error.message.length > 0, name);
    if (fields) assert.deepEqual(r.json.error.invalid_fields, fields, `${name}: ${r.text}`);
  }
  assert.equal(await api.orderCount(), before, 'no bad request created an order');
});

test('bad sandbox payments on a real order', async () => {
  const o = (await api.createOrder(good)).json.data;
  const auth = { 'X-Client-Secret': o.client_secret };
  for (const [body, field] of [[{ amount: '0' }, 'amount'], [{ amount: '-1' }, 'amount'], [{ amount: 'abc' }, 'amount'], [{}, 'amount']]) {
    const r = await api.call('POST', `/v1/sandbox/orders/${o.id}/pay`, { body, headers: auth });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.deepEqual(r.json.error.invalid_fields, [field]);
  }
  const c = await api.call('POST', `/v1/sandbox/orders/${o.id}/confirm`, { body: { confirmations: -1 }, headers: auth });
  assert.equal(c.status, 422);
  const card = (await api.createOrder({ ...good, payment_method: 'stripe' })).json.data;
  const r = await api.call('POST', `/v1/sandbox/orders/${card.id}/pay`, { body: { amount: '31.16' }, headers: { 'X-Client-Secret': card.client_secret } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'not_crypto');
  const v = await api.call('GET', `/v1/orders/${o.id}`, { headers: auth });
  assert.equal(v.json.data.amount_paid, '0', 'refused payments recorded nothing');
});
