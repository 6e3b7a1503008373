// The orders API against the real worker under workerd: every endpoint and the sandbox path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorker } from '../support/worker.mjs';

const api = useWorker();

const premiumBtc = { product_id: 'prod_xyz789', buyer_email: 'buyer@example.com', payment_method: 'crypto_btc' };

async function pay(order, amount, confirmations) {
  const r = await api.call('POST', `/v1/sandbox/orders/${order.id}/pay`, {
    body: { amount, confirmations },
    headers: { 'X-Client-Secret': order.client_secret },
  });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

test('health', async () => {
  const r = await api.call('GET', '/v1/health');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok', sandbox: true });
});

test('product view lists the methods enabled for store and product', async () => {
  const r = await api.call('GET', '/v1/products/prod_xyz789');
  assert.equal(r.status, 200);
  const p = r.json.data;
  assert.equal(p.name, 'Premium License');
  assert.equal(p.price, '29.99');
  assert.equal(p.currency, 'USD');
  assert.equal(p.in_stock, true);
  assert.equal(p.sandbox, true);
  assert.equal(p.payment_methods.length, 21);
  assert.deepEqual(p.payment_methods.find((m) => m.id === 'flexpay_USDT_TRC20'),
    { id: 'flexpay_USDT_TRC20', group: 'usdt', label: 'USDT · TRON (TRC20)', asset: 'USDT', network: 'tron', network_name: 'TRON (TRC20)' });
  const credits = (await api.call('GET', '/v1/products/prod_credits')).json.data;
  assert.equal(credits.min_quantity, 5);
  assert.equal(credits.max_quantity, 500);
  assert.deepEqual(credits.payment_methods.map((m) => m.id), ['crypto_btc', 'crypto_eth', 'flexpay_USDT_TRC20', 'flexpay_USDC_SOL', 'stripe']);
  const bundle = (await api.call('GET', '/v1/products/prod_bundle')).json.data;
  assert.deepEqual(bundle.variants, [
    { id: 'var_personal', name: 'Personal', price: '19.00' },
    { id: 'var_team', name: 'Team (5 seats)', price: '79.00' },
  ]);
});

test('a product comes with the quote for its defaults: first method, first variant, least quantity', async () => {
  for (const id of ['prod_xyz789', 'prod_credits', 'prod_bundle']) {
    const p = (await api.call('GET', `/v1/products/${id}`)).json.data;
    const asked = await api.call('POST', '/v1/quote', {
      body: { product_id: id, payment_method: p.payment_methods[0].id, quantity: p.min_quantity, variant_id: p.variants[0]?.id ?? null },
    });
    assert.equal(asked.status, 200, asked.text);
    assert.deepEqual(p.default_quote, asked.json.data, id);
  }
  const credits = (await api.call('GET', '/v1/products/prod_credits')).json.data.default_quote;
  // 5 credits at 5.00, the least quantity; paid in BTC at the sandbox rate.
  assert.equal(credits.breakdown.total, '25.00');
  assert.equal(credits.crypto.amount, '0.00037616');
});

test('quote gives the server breakdown, to the last decimal', async () => {
  const r = await api.call('POST', '/v1/quote', {
    body: { product_id: 'prod_credits', payment_method: 'stripe', quantity: 100, coupon_code: 'SAVE10' },
  });
  assert.equal(r.status, 200, r.text);
  const b = r.json.data.breakdown;
  // 100 × 5.00 = 500.00; volume 15 % = 75.00; coupon 10 % of 425.00 = 42.50; net 382.50;
  // fee 2.9 % = 11.0925 → 11.09 + 0.30 = 11.39; total 393.89.
  assert.deepEqual(
    [b.subtotal, b.volume_discount, b.coupon_discount, b.fee, b.total],
    ['500.00', '75.00', '42.50', '11.39', '393.89'],
  );
  const btc = await api.call('POST', '/v1/quote', { body: { product_id: 'prod_xyz789', payment_method: 'crypto_btc' } });
  assert.deepEqual(btc.json.data.crypto, { currency: 'BTC', network: 'bitcoin', amount: '0.00045125', exchange_rate: '66461.25' });
  const used = await api.call('POST', '/v1/quote', { body: { product_id: 'prod_xyz789', payment_method: 'crypto_btc', coupon_code: 'NOPE' } });
  assert.equal(used.status, 422);
  assert.deepEqual(used.json.error.invalid_fields, ['coupon_code']);
});

test('whole sandbox path: partial, full, confirming, completed with a licence key', async () => {
  const created = await api.createOrder(premiumBtc);
  assert.equal(created.status, 201, created.text);
  const o = created.json.data;
  assert.match(o.id, /^ord_[0-9a-f]{32}$/);
  assert.match(o.invoice_id, /^INV-[0-9A-Z]+-[0-9A-Z]{4}$/);
  assert.match(o.order_number, /^ORD-[0-9A-Z]+-[0-9A-Z]{4}$/);
  assert.match(o.client_secret, /^cs_[0-9a-f]{64}$/);
  assert.equal(o.status, 'pending');
  assert.equal(o.total_amount, '29.99');
  assert.equal(o.crypto_amount, '0.00045125');
  assert.equal(o.exchange_rate, '66461.25');
  assert.equal(o.buyer_email, 'b***@example.com');
  assert.equal(o.sandbox, true);
  assert.match(o.payment_address, /^tb1q[02-9ac-hj-np-z]{38}$/);
  assert.equal(o.payment_uri, `bitcoin:${o.payment_address}?amount=0.00045125`);
  assert.equal(o.confirmations_required, 2);
  assert.equal(Date.parse(o.expires_at) - Date.parse(o.created_at), 30 * 60 * 1000);
  for (const secret of ['customer_ip', 'customer_country', 'customer_country_code', 'coupon_id']) {
    assert.ok(!(secret in o), `${secret} must not reach the buyer`);
  }

  let v = await pay(o, '0.0002', 0);
  assert.equal(v.status, 'pending');
  assert.equal(v.amount_paid, '0.0002');
  assert.equal(v.amount_remaining, '0.00025125');

  v = await pay(o, '0.00025125', 1);
  assert.equal(v.status, 'confirming');
  assert.equal(v.confirmations, 1);
  assert.equal(v.delivered_content, null);

  const c = await api.call('POST', `/v1/sandbox/orders/${o.id}/confirm`, {
    body: { confirmations: 2 }, headers: { 'X-Client-Secret': o.client_secret },
  });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.data.status, 'completed');
  assert.match(c.json.data.delivered_content, /^TG-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);

  const buyer = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
  assert.equal(buyer.json.data.status, 'completed');
  assert.equal(buyer.json.data.delivered_content, c.json.data.delivered_content);
  const seller = await api.call('GET', `/v1/orders/${o.id}`, { headers: api.seller });
  assert.equal(seller.json.data.buyer_email, 'buyer@example.com');
  assert.match(seller.json.data.customer_ip, /^198\.51\.100\./);
  assert.equal(seller.json.data.amount_paid, '0.00045125');
  // Each payment, as it was seen, with the confirmations last reported; never to the buyer.
  const payments = seller.json.data.payments;
  assert.deepEqual(payments.map((p) => [p.amount, p.confirmations]), [['0.0002', 2], ['0.00025125', 2]]);
  assert.ok(payments.every((p) => p.txid && !Number.isNaN(Date.parse(p.at))), JSON.stringify(payments));
  assert.notEqual(payments[0].txid, payments[1].txid);
  assert.equal(seller.json.data.upstream, undefined, 'the sandbox is no provider');
  assert.ok(!('payments' in buyer.json.data));
});

test('overpayment is kept and exposed', async () => {
  const o = (await api.createOrder({ ...premiumBtc, payment_method: 'flexpay_USDT_TRC20' })).json.data;
  assert.equal(o.crypto_amount, '29.990000');
  assert.equal(o.payment_uri, o.payment_address, 'TRON has no URI standard: the bare address');
  assert.match(o.payment_address, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
  const v = await pay(o, '30.5', 3);
  assert.equal(v.status, 'completed');
  assert.equal(v.amount_paid, '30.5');
  assert.equal(v.amount_remaining, '0.000000');
});

test('every crypto method gets a testnet address and a standard URI', async () => {
  const expectations = {
    crypto_eth: (o) => assert.match(o.payment_uri, new RegExp(`^ethereum:${o.payment_address}@11155111\\?value=\\d+$`)),
    flexpay_USDC_ERC20: (o) => assert.match(o.payment_uri, /^ethereum:0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238@11155111\/transfer\?address=0x[0-9a-fA-F]{40}&uint256=29990000$/),
    flexpay_USDC_MATIC: (o) => assert.match(o.payment_uri, /@80002\/transfer\?/),
    crypto_sol: (o) => assert.equal(o.payment_uri, `solana:${o.payment_address}?amount=0.19993334`),
    flexpay_USDC_SOL: (o) => assert.equal(o.payment_uri, `solana:${o.payment_address}?amount=29.99&spl-token=4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU`),
    crypto_ltc: (o) => assert.match(o.payment_uri, /^litecoin:tltc1q[02-9ac-hj-np-z]{38}\?amount=0\.41422652$/),
    flexpay_USDT_TON: (o) => assert.match(o.payment_address, /^0Q[A-Za-z0-9_-]{46}$/),
  };
  for (const [method, check] of Object.entries(expectations)) {
    const r = await api.createOrder({ ...premiumBtc, payment_method: method });
    assert.equal(r.status, 201, `${method}: ${r.text}`);
    check(r.json.data);
  }
});

test('idempotency: same key and body replay the order; another body is 409', async () => {
  const key = `idem-${Date.now()}`;
  const body = { product_id: 'prod_bundle', variant_id: 'var_team', buyer_email: 'team@example.com', payment_method: 'crypto_eth' };
  const ip = { 'CF-Connecting-IP': '203.0.113.50', 'Idempotency-Key': key };
  const before = await api.orderCount();
  const first = await api.call('POST', '/v1/orders', { body, headers: ip });
  const second = await api.call('POST', '/v1/orders', { body, headers: ip });
  assert.equal(first.status, 201, first.text);
  assert.equal(second.status, 201);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal(second.json.data.id, first.json.data.id);
  assert.equal(second.json.data.client_secret, first.json.data.client_secret);
  const other = await api.call('POST', '/v1/orders', { body: { ...body, variant_id: 'var_personal' }, headers: ip });
  assert.equal(other.status, 409);
  assert.equal(other.json.error.code, 'idempotency_conflict');
  assert.equal(await api.orderCount(), before + 1);
});

test('two orders racing for the last key: exactly one gets it', async () => {
  const body = { product_id: 'prod_founders', buyer_email: 'fan@example.com', payment_method: 'crypto_btc' };
  const [a, b] = await Promise.all([api.createOrder(body), api.createOrder(body)]);
  const statuses = [a.status, b.status].sort();
  assert.deepEqual(statuses, [201, 422], `${a.text} / ${b.text}`);
  const loser = a.status === 422 ? a : b;
  assert.equal(loser.json.error.code, 'out_of_stock');
  assert.deepEqual(loser.json.error.invalid_fields, ['quantity']);
  assert.equal((await api.call('GET', '/v1/products/prod_founders')).json.data.in_stock, false);
});

test('orders completing at the same moment never share a key', async () => {
  const orders = await Promise.all(Array.from({ length: 6 }, () => api.createOrder(premiumBtc)));
  const completed = await Promise.all(orders.map((r) => pay(r.json.data, r.json.data.crypto_amount, 6)));
  const keys = completed.map((o) => o.delivered_content);
  assert.ok(keys.every((k) => /^TG-/.test(k)));
  assert.equal(new Set(keys).size, keys.length);
});

test('a limited coupon is used up, and given back when its order is cancelled', async () => {
  const body = { product_id: 'prod_guide_eur', buyer_email: 'once@example.com', payment_method: 'paypal', coupon_code: 'once' };
  const first = await api.createOrder(body);
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.data.discount_amount, '6.25');
  const second = await api.createOrder(body);
  assert.equal(second.status, 422);
  assert.equal(second.json.error.code, 'validation_failed');
  assert.deepEqual(second.json.error.invalid_fields, ['coupon_code']);
  assert.match(second.json.error.message, /used up/);
  const cancel = await api.call('PATCH', `/v1/orders/${first.json.data.id}`, { body: { status: 'cancelled' }, headers: api.seller });
  assert.equal(cancel.status, 200, cancel.text);
  assert.equal((await api.createOrder(body)).status, 201);
});

test('card checkout through the sandbox page', async () => {
  const r = await api.createOrder({ ...premiumBtc, payment_method: 'stripe' });
  const o = r.json.data;
  // 29.99 + 2.9 % (0.87) + 0.30
  assert.equal(o.total_amount, '31.16');
  assert.equal(o.crypto_amount, null);
  const url = new URL(o.checkout_url);
  assert.equal(url.origin, api.base);
  assert.ok(!o.checkout_url.includes(o.client_secret), 'the secret is not in the URL');
  const page = await fetch(o.checkout_url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Test mode/);
  assert.match(html, /Pay 31\.16 USD/);
  const wrong = await fetch(o.checkout_url.replace(/token=[0-9a-f]+/, 'token=00'));
  assert.equal(wrong.status, 404);
  const paid = await fetch(`${api.base}/sandbox/checkout/${o.id}/pay`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${url.searchParams.get('token')}`,
  });
  assert.equal(paid.status, 200);
  assert.match(await paid.text(), /is completed/);
  const v = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
  assert.equal(v.json.data.status, 'completed');
  assert.match(v.json.data.delivered_content, /^TG-/);
});

test('paypal cancel on the sandbox page', async () => {
  const o = (await api.createOrder({ ...premiumBtc, payment_method: 'paypal' })).json.data;
  const token = new URL(o.checkout_url).searchParams.get('token');
  const r = await fetch(`${api.base}/sandbox/checkout/${o.id}/cancel`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${token}`,
  });
  assert.equal(r.status, 200);
  const v = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
  assert.equal(v.json.data.status, 'cancelled');
});

test('reads: auth, wrong secret is 404, ETag makes polling cheap', async () => {
  const o = (await api.createOrder(premiumBtc)).json.data;
  assert.equal((await api.call('GET', `/v1/orders/${o.id}`)).status, 401);
  const wrong = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': 'cs_wrong' } });
  assert.equal(wrong.status, 404);
  assert.equal(wrong.json.error.code, 'order_not_found');
  const missing = await api.call('GET', `/v1/orders/ord_${'0'.repeat(32)}`, { headers: { 'X-Client-Secret': o.client_secret } });
  assert.equal(missing.status, 404);
  const badKey = await api.call('GET', `/v1/orders/${o.id}`, { headers: { Authorization: 'Bearer sg_live_wrong' } });
  assert.equal(badKey.status, 401);

  const first = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const again = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret, 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  await pay(o, '0.0001', 0);
  const changed = await api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret, 'If-None-Match': etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), etag);
});

test('seller status updates go through the transition function', async () => {
  const o = (await api.createOrder(premiumBtc)).json.data;
  const done = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'completed' }, headers: api.seller });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.data.status, 'completed');
  assert.match(done.json.data.delivered_content, /^TG-/);
  const refund = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'refunded' }, headers: api.seller });
  assert.equal(refund.json.data.status, 'refunded');
  const illegal = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'completed' }, headers: api.seller });
  assert.equal(illegal.status, 409);
  assert.equal(illegal.json.error.message, 'an order cannot go from refunded to completed');
  const pending = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'pending' }, headers: api.seller });
  assert.equal(pending.status, 409);
  const unauth = await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'refunded' }, headers: { 'X-Client-Secret': o.client_secret } });
  assert.equal(unauth.status, 401);
});

test('list: filters, pagination, meta', async () => {
  const email = `list-${Date.now()}@example.com`;
  for (let i = 0; i < 3; i++) await api.createOrder({ ...premiumBtc, buyer_email: email });
  const cancelled = (await api.createOrder({ ...premiumBtc, buyer_email: email })).json.data;
  await api.call('PATCH', `/v1/orders/${cancelled.id}`, { body: { status: 'cancelled' }, headers: api.seller });

  const all = await api.call('GET', `/v1/orders?email=${encodeURIComponent(email.toUpperCase())}`, { headers: api.seller });
  assert.equal(all.status, 200);
  assert.equal(all.json.meta.total, 4);
  assert.equal(all.json.meta.limit, 25);
  assert.equal(all.json.meta.offset, 0);
  const page2 = await api.call('GET', `/v1/orders?email=${encodeURIComponent(email)}&limit=3&page=2`, { headers: api.seller });
  assert.equal(page2.json.data.length, 1);
  assert.deepEqual(page2.json.meta, { total: 4, limit: 3, offset: 3 });
  const onlyCancelled = await api.call('GET', `/v1/orders?email=${encodeURIComponent(email)}&status=cancelled`, { headers: api.seller });
  assert.deepEqual(onlyCancelled.json.data.map((o) => o.id), [cancelled.id]);
  const byProduct = await api.call('GET', '/v1/orders?product_id=prod_bundle&limit=100', { headers: api.seller });
  assert.ok(byProduct.json.data.every((o) => o.product_id === 'prod_bundle'));
  const newestFirst = all.json.data.map((o) => Date.parse(o.created_at));
  assert.deepEqual([...newestFirst].sort((a, b) => b - a), newestFirst);
  assert.equal((await api.call('GET', '/v1/orders')).status, 401);
});

test("a product's stock by state: reserved by an order, delivered once paid, back when cancelled; never the keys", async () => {
  const stock = async () => {
    const r = await api.call('GET', '/v1/products/prod_xyz789/stock', { headers: api.seller });
    assert.equal(r.status, 200, r.text);
    assert.doesNotMatch(r.text, /TG-/, 'no licence key in the answer');
    const { product_id, delivery, ...counts } = r.json.data;
    assert.deepEqual([product_id, delivery], ['prod_xyz789', 'stock']);
    return counts;
  };
  const before = await stock();
  const total = before.available + before.reserved + before.delivered;
  assert.ok(before.available > 2, JSON.stringify(before));
  const paid = (await api.createOrder(premiumBtc)).json.data;
  const held = (await api.createOrder(premiumBtc)).json.data;
  assert.deepEqual(await stock(), { ...before, available: before.available - 2, reserved: before.reserved + 2 });
  await api.call('POST', `/v1/sandbox/orders/${paid.id}/pay`, { body: { amount: paid.crypto_amount, confirmations: 2 }, headers: api.seller });
  await api.call('PATCH', `/v1/orders/${held.id}`, { body: { status: 'cancelled' }, headers: api.seller });
  const after = await stock();
  assert.deepEqual(after, { available: before.available - 1, reserved: before.reserved, delivered: before.delivered + 1, withdrawn: 0 });
  assert.equal(after.available + after.reserved + after.delivered, total, 'the counts add up');

  const text = await api.call('GET', '/v1/products/prod_bundle/stock', { headers: api.seller });
  assert.deepEqual(text.json.data, { product_id: 'prod_bundle', delivery: 'text', available: 0, reserved: 0, delivered: 0, withdrawn: 0 });
  const unknown = await api.call('GET', '/v1/products/prod_nope/stock', { headers: api.seller });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'product_not_found');
  assert.equal((await api.call('GET', '/v1/products/prod_xyz789/stock')).status, 401);
});

/** RFC 4180 rows (quoted fields with doubled quotes, CRLF line ends), as a spreadsheet reads them. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return rows;
}

test('orders.csv: the list filters, exact rows as a download, for the seller key only', async () => {
  const email = `csv-${Date.now()}@example.com`;
  const paid = (await api.createOrder({ ...premiumBtc, buyer_email: email })).json.data;
  await api.call('POST', `/v1/sandbox/orders/${paid.id}/pay`, { body: { amount: paid.crypto_amount, confirmations: 2, txid: 'tx-csv-1' }, headers: api.seller });
  const cancelled = (await api.createOrder({ ...premiumBtc, buyer_email: email })).json.data;
  await api.call('PATCH', `/v1/orders/${cancelled.id}`, { body: { status: 'cancelled' }, headers: api.seller });

  const r = await api.call('GET', `/v1/orders.csv?email=${encodeURIComponent(email)}`, { headers: api.seller });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="orders.csv"');
  assert.equal(r.headers.get('x-total-count'), '2');
  assert.ok(r.text.endsWith('\r\n'));
  const [header, ...rows] = parseCsv(r.text);
  assert.deepEqual(header, ['order_id', 'order_number', 'created_at', 'status', 'product_id', 'product_name', 'variant_id', 'quantity', 'currency',
    'total_amount', 'discount_amount', 'coupon_id', 'payment_method', 'crypto_currency', 'crypto_amount', 'network', 'amount_paid', 'confirmations',
    'txid', 'buyer_email', 'customer_country_code', 'completed_at', 'expires_at']);
  const at = (row, column) => row[header.indexOf(column)];
  // The same orders as the list, in its order (newest first).
  const list = (await api.call('GET', `/v1/orders?email=${encodeURIComponent(email)}`, { headers: api.seller })).json.data;
  assert.deepEqual(rows.map((x) => at(x, 'order_id')), list.map((o) => o.id));
  assert.deepEqual(list.map((o) => o.id), [cancelled.id, paid.id], 'newest first, within the same second too');
  const byId = (id) => rows.find((x) => at(x, 'order_id') === id);
  const listed = (await api.call('GET', `/v1/orders/${paid.id}`, { headers: api.seller })).json.data;
  const row = byId(paid.id);
  assert.equal(at(row, 'status'), 'completed');
  assert.equal(at(row, 'order_number'), listed.order_number);
  assert.equal(at(row, 'total_amount'), '29.99');
  assert.equal(at(row, 'currency'), 'USD');
  assert.equal(at(row, 'crypto_amount'), '0.00045125');
  assert.equal(at(row, 'amount_paid'), '0.00045125');
  assert.equal(at(row, 'txid'), 'tx-csv-1');
  assert.equal(at(row, 'buyer_email'), email);
  assert.equal(Date.parse(at(row, 'created_at')), Date.parse(listed.created_at.replace(/\.\d+/, '')));
  assert.ok(at(row, 'completed_at'));
  assert.equal(at(byId(cancelled.id), 'status'), 'cancelled');
  assert.equal(at(byId(cancelled.id), 'completed_at'), '');

  const onlyCancelled = parseCsv((await api.call('GET', `/v1/orders.csv?email=${encodeURIComponent(email)}&status=cancelled`, { headers: api.seller })).text);
  assert.deepEqual(onlyCancelled.slice(1).map((x) => at(x, 'order_id')), [cancelled.id]);
  const page2 = await api.call('GET', `/v1/orders.csv?email=${encodeURIComponent(email)}&limit=1&page=2`, { headers: api.seller });
  assert.deepEqual(parseCsv(page2.text).slice(1).map((x) => at(x, 'order_id')), [list[1].id]);
  assert.equal(page2.headers.get('x-total-count'), '2');

  const bad = await api.call('GET', '/v1/orders.csv?status=lost&limit=5000', { headers: api.seller });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, 'invalid_parameter');
  assert.equal((await api.call('GET', '/v1/orders.csv')).status, 401);
  assert.equal((await api.call('GET', '/v1/orders.csv', { headers: { Authorization: 'Bearer wrong' } })).status, 401);
  assert.equal((await api.call('POST', '/v1/orders.csv', { body: {}, headers: api.seller })).status, 405);
});

test('CORS: preflight for public endpoints; seller endpoints send no CORS headers', async () => {
  const pre = await fetch(`${api.base}/v1/orders`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,idempotency-key' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://shop.example');
  assert.match(pre.headers.get('access-control-allow-headers'), /Idempotency-Key/);
  assert.doesNotMatch(pre.headers.get('access-control-allow-headers'), /Authorization/);
  const prod = await fetch(`${api.base}/v1/products/prod_xyz789`, { headers: { Origin: 'https://shop.example' } });
  assert.equal(prod.headers.get('access-control-allow-origin'), 'https://shop.example');
  // The seller's page may time the checkout's calls in its own analytics (Resource Timing).
  assert.equal(prod.headers.get('timing-allow-origin'), 'https://shop.example');
  const list = await fetch(`${api.base}/v1/orders`, { headers: { Origin: 'https://shop.example', Authorization: 'Bearer sg_test_sandbox' } });
  assert.equal(list.status, 200);
  assert.equal(list.headers.get('access-control-allow-origin'), null);
  assert.equal(list.headers.get('timing-allow-origin'), null);
});
