// The seller's console API on the real worker: products, stock, coupons, the catalog whole and
// the audit log, all behind the seller's key, with no rebuild. Every refusal names its fields
// and leaves nothing behind; a change never alters an order already made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useWorker } from '../support/worker.mjs';

const api = useWorker({ ORDERS_PER_MINUTE_PER_IP: '1000', READS_PER_MINUTE_PER_IP: '1000' });
const seller = (extra = {}) => ({ headers: { ...api.seller, ...extra } });
const EBOOK = { name: 'Field Guide', price: '12.50', currency: 'USD', methods: ['crypto_btc', 'stripe'], delivery: { text: 'https://example.com/guide.pdf' } };

async function products(query = '') {
  const r = await api.call('GET', `/v1/products${query}`, seller());
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

async function stock(id, items = false) {
  const r = await api.call('GET', `/v1/products/${id}/stock${items ? '?items=true' : ''}`, seller());
  assert.equal(r.status, 200, r.text);
  const s = r.json.data;
  return s;
}

function order(product_id, extra = {}) {
  return api.createOrder({ product_id, buyer_email: 'console@example.com', payment_method: 'crypto_btc', ...extra });
}

async function payInFull(o) {
  const r = await api.call('POST', `/v1/sandbox/orders/${o.id}/pay`, { body: { amount: o.crypto_amount, confirmations: o.confirmations_required }, headers: api.seller });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

test('a product is created, read, listed, changed and archived, never removed', async () => {
  const made = await api.call('POST', '/v1/products', { body: { ...EBOOK, id: 'prod_guide' }, ...seller() });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.data.id, 'prod_guide');
  assert.equal(made.json.data.archived, false);
  assert.equal(made.json.data.stock, null, 'a text delivery has no stock');
  // On sale at once, through the same public endpoint the widget reads.
  const shown = await api.call('GET', '/v1/products/prod_guide');
  assert.equal(shown.status, 200, shown.text);
  assert.equal(shown.json.data.price, '12.50');
  assert.deepEqual(shown.json.data.payment_methods.map((m) => m.id), ['crypto_btc', 'stripe']);
  assert.ok((await products()).some((p) => p.id === 'prod_guide'));

  const changed = await api.call('PATCH', '/v1/products/prod_guide', { body: { name: 'Field Guide, 2nd ed.', description: 'Revised.' }, ...seller() });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.json.data.name, 'Field Guide, 2nd ed.');
  assert.equal(changed.json.data.price, '12.50', 'what the patch leaves out stays');

  const archived = await api.call('DELETE', '/v1/products/prod_guide', seller());
  assert.equal(archived.status, 200, archived.text);
  assert.equal(archived.json.data.archived, true);
  assert.equal((await api.call('GET', '/v1/products/prod_guide')).status, 404, 'no longer sold');
  assert.equal((await order('prod_guide')).status, 422);
  assert.ok(!(await products()).some((p) => p.id === 'prod_guide'));
  assert.ok((await products('?archived=true')).some((p) => p.id === 'prod_guide'), 'kept, archived');
  const again = await api.call('GET', '/v1/products/prod_guide', seller());
  assert.equal(again.json.data.archived, true);
  // Brought back by a patch.
  const back = await api.call('PATCH', '/v1/products/prod_guide', { body: { archived: false }, ...seller() });
  assert.equal(back.status, 200, back.text);
  assert.equal((await api.call('GET', '/v1/products/prod_guide')).status, 200);
});

test('a bad product is refused whole, naming every field at fault, and changes nothing', async () => {
  const before = await products('?archived=all');
  const cases = [
    [{ ...EBOOK, price: '12.505' }, ['price']],
    [{ ...EBOOK, price: 'twelve', currency: 'XYZ' }, ['currency', 'price']],
    [{ ...EBOOK, name: '  ', methods: ['crypto_doge'] }, ['methods', 'name']],
    [{ ...EBOOK, delivery: { text: 'x', stock: [] } }, ['delivery']],
    [{ ...EBOOK, id: 'has space' }, ['id']],
    [{ ...EBOOK, max_quantity: 0, min_quantity: 2 }, ['max_quantity']],
    [{ ...EBOOK, variants: [{ id: 'v1', name: 'V' }] }, ['variants[v1]']],
    [{ ...EBOOK, colour: 'red' }, ['catalog']],
  ];
  for (const [body, fields] of cases) {
    const r = await api.call('POST', '/v1/products', { body, ...seller() });
    assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.code, 'validation_failed');
    assert.deepEqual([...new Set(r.json.error.invalid_fields)].sort(), fields, r.text);
  }
  const notJson = await api.call('POST', '/v1/products', { raw: '{"name":', headers: { ...api.seller, 'Content-Type': 'application/json' } });
  assert.equal(notJson.status, 400, notJson.text);
  const notDeclared = await api.call('POST', '/v1/products', { raw: JSON.stringify(EBOOK), headers: api.seller });
  assert.equal(notDeclared.status, 415, notDeclared.text);
  const list = await api.call('POST', '/v1/products', { body: [EBOOK], ...seller() });
  assert.equal(list.status, 422, list.text);
  const twice = await api.call('POST', '/v1/products', { body: { ...EBOOK, id: 'prod_xyz789' }, ...seller() });
  assert.equal(twice.status, 409, twice.text);
  assert.equal(twice.json.error.code, 'product_exists');
  const missing = await api.call('PATCH', '/v1/products/prod_nope', { body: { name: 'x' }, ...seller() });
  assert.equal(missing.status, 404, missing.text);
  const renamed = await api.call('PATCH', '/v1/products/prod_xyz789', { body: { id: 'prod_other' }, ...seller() });
  assert.equal(renamed.status, 422, renamed.text);
  assert.deepEqual(renamed.json.error.invalid_fields, ['id']);
  assert.deepEqual(await products('?archived=all'), before, 'nothing changed');
});

test('a price change does not touch an order already made; new orders pay the new price', async () => {
  const made = await api.call('POST', '/v1/products', { body: { ...EBOOK, id: 'prod_priced' }, ...seller() });
  assert.equal(made.status, 201, made.text);
  const first = await order('prod_priced', { payment_method: 'stripe' });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.data.breakdown.subtotal, '12.50');
  const patched = await api.call('PATCH', '/v1/products/prod_priced', { body: { price: '20.00' }, ...seller() });
  assert.equal(patched.status, 200, patched.text);
  const kept = await api.call('GET', `/v1/orders/${first.json.data.id}`, seller());
  assert.equal(kept.json.data.breakdown.subtotal, '12.50');
  assert.equal(kept.json.data.total_amount, first.json.data.total_amount);
  const second = await order('prod_priced', { payment_method: 'stripe' });
  assert.equal(second.status, 201, second.text);
  assert.equal(second.json.data.breakdown.subtotal, '20.00');
  // Stripe's fee (2.9 % + 0.30) on the new price, to the cent.
  assert.equal(second.json.data.total_amount, '20.88');
});

test('a change made through another isolate: its old copy answers at once, a refusal on it is checked with the store, and orders pay the new price', async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const OLD = 2100; // past catalog::FRESH_MS (2 s)
  assert.equal((await api.call('POST', '/v1/products', { body: { ...EBOOK, id: 'prod_elsewhere' }, ...seller() })).status, 201);
  // The next change is made as if through another isolate: this one keeps its copy.
  const elsewhere = async (method, path, body) => {
    const fault = await api.call('POST', '/v1/sandbox/faults', { body: { unseen_catalog_changes: 1 }, headers: api.seller });
    assert.equal(fault.status, 200, fault.text);
    const r = await api.call(method, path, { body, ...seller() });
    assert.ok(r.status < 300, r.text);
    await sleep(OLD);
  };
  await elsewhere('POST', '/v1/products', { ...EBOOK, id: 'prod_new_elsewhere' });
  // Unknown to the old copy, known to the store: asked again, found.
  const found = await api.call('GET', '/v1/products/prod_new_elsewhere');
  assert.equal(found.status, 200, found.text);
  assert.equal(found.json.data.price, '12.50');
  // So is an order for a product the old copy does not have.
  await elsewhere('POST', '/v1/products', { ...EBOOK, id: 'prod_newer_elsewhere' });
  const newer = await order('prod_newer_elsewhere', { payment_method: 'stripe' });
  assert.equal(newer.status, 201, newer.text);
  assert.equal(newer.json.data.total_amount, '13.16'); // 12.50 + 2.9 % (0.3625, to the cent) + 0.30
  await elsewhere('PATCH', '/v1/products/prod_elsewhere', { price: '30.00' });
  // An order priced on an old copy is priced again on the store's version before it is made.
  const o = await order('prod_elsewhere', { payment_method: 'stripe' });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.data.breakdown.subtotal, '30.00');
  assert.equal(o.json.data.total_amount, '31.17'); // 30.00 + 2.9 % + 0.30
  // A product read is answered from the copy at once; the copy read again in the background
  // brings the change to the requests after it.
  await elsewhere('PATCH', '/v1/products/prod_elsewhere', { price: '35.00' });
  assert.equal((await api.call('GET', '/v1/products/prod_elsewhere')).json.data.price, '30.00');
  let price;
  for (let i = 0; i < 50 && price !== '35.00'; i++) {
    await sleep(20);
    price = (await api.call('GET', '/v1/products/prod_elsewhere')).json.data.price;
  }
  assert.equal(price, '35.00');
});

test('stock: added from a pasted list, held, delivered and withdrawn, the counts always adding up', async () => {
  const made = await api.call('POST', '/v1/products', { body: { ...EBOOK, id: 'prod_keys', delivery: { stock: [] } }, ...seller() });
  assert.equal(made.status, 201, made.text);
  const total = (s) => s.available + s.reserved + s.delivered + s.withdrawn;
  const added = await api.call('POST', '/v1/products/prod_keys/stock', { raw: 'KEY-AAAA-0001\n\n  KEY-AAAA-0002  \nKEY-AAAA-0003\n', headers: { ...api.seller, 'Content-Type': 'text/plain' } });
  assert.equal(added.status, 201, added.text);
  assert.equal(added.json.data.added.length, 3);
  assert.deepEqual(added.json.data.added.map((i) => i.hint), ['…0001', '…0002', '…0003']);
  assert.ok(!added.text.includes('KEY-AAAA'), 'the keys are never shown back');
  assert.deepEqual(await stock('prod_keys'), { available: 3, reserved: 0, delivered: 0, withdrawn: 0, product_id: 'prod_keys', delivery: 'stock' });

  // A repeat, within the list or of a key the store has, refuses the whole list.
  const dup = await api.call('POST', '/v1/products/prod_keys/stock', { body: { items: ['KEY-NEW-1', 'KEY-AAAA-0002', 'KEY-NEW-1'] }, ...seller() });
  assert.equal(dup.status, 422, dup.text);
  assert.deepEqual(dup.json.error.invalid_fields, ['items[2]', 'items[3]']);
  const seedKey = await api.call('POST', '/v1/products/prod_keys/stock', { body: { items: ['TG-14D1-3731-7969-6DAE'] }, ...seller() });
  assert.equal(seedKey.status, 422, 'a key of another product is refused too');
  assert.equal(total(await stock('prod_keys')), 3);
  const textProduct = await api.call('POST', '/v1/products/prod_guide/stock', { body: { items: ['X'] }, ...seller() });
  assert.equal(textProduct.status, 409, textProduct.text);
  assert.equal((await api.call('POST', '/v1/products/prod_nope/stock', { body: { items: ['X'] }, ...seller() })).status, 404);

  const held = (await order('prod_keys')).json.data;
  let s = await stock('prod_keys');
  assert.deepEqual([s.available, s.reserved, s.delivered, total(s)], [2, 1, 0, 3]);
  const done = await payInFull(held);
  assert.equal(done.status, 'completed');
  assert.match(done.delivered_content, /^KEY-AAAA-000\d$/);
  s = await stock('prod_keys', true);
  assert.deepEqual([s.available, s.reserved, s.delivered, total(s)], [2, 0, 1, 3]);
  const delivered = s.items.find((i) => i.state === 'delivered');
  assert.equal(delivered.order_id, held.id);
  const [left, last] = s.items.filter((i) => i.state === 'available');

  const refusedDelivered = await api.call('DELETE', `/v1/products/prod_keys/stock/${delivered.id}`, seller());
  assert.equal(refusedDelivered.status, 409, refusedDelivered.text);
  assert.equal(refusedDelivered.json.error.code, 'item_not_available');
  const withdrawn = await api.call('DELETE', `/v1/products/prod_keys/stock/${left.id}`, seller());
  assert.equal(withdrawn.status, 200, withdrawn.text);
  assert.deepEqual([withdrawn.json.data.available, withdrawn.json.data.withdrawn], [1, 1]);
  const twice = await api.call('DELETE', `/v1/products/prod_keys/stock/${left.id}`, seller());
  assert.equal(twice.status, 409, 'already withdrawn');
  assert.equal((await api.call('DELETE', `/v1/products/prod_keys/stock/${last.id}`, seller())).status, 200);
  assert.equal((await api.call('DELETE', '/v1/products/prod_keys/stock/itm_99', seller())).status, 404);
  assert.equal((await api.call('DELETE', '/v1/products/prod_keys/stock/nonsense', seller())).status, 404);
  // The withdrawn key is never sold: the product is out of stock, and it cannot be added again.
  const none = await order('prod_keys');
  assert.equal(none.status, 422, none.text);
  assert.equal(none.json.error.code, 'out_of_stock');
  const leaked = await api.call('POST', '/v1/products/prod_keys/stock', { body: { items: [`KEY-AAAA-000${left.hint.slice(-1)}`] }, ...seller() });
  assert.equal(leaked.status, 422, leaked.text);
  s = await stock('prod_keys');
  assert.deepEqual([s.available, s.reserved, s.delivered, s.withdrawn, total(s)], [0, 0, 1, 2, 3]);

  // The list gives every product's counts as its own stock page does (read in one call to
  // the store for all of them, so each must land on its own product), and none to a text.
  const listed = await products('?archived=all');
  assert.ok(listed.filter((p) => p.stock).length >= 2, 'more than one stocked product listed');
  for (const p of listed) {
    if (p.delivery.text !== undefined) {
      assert.equal(p.stock, null, `${p.id}: a text delivery has no stock`);
      continue;
    }
    const { product_id, delivery, ...counts } = await stock(p.id);
    assert.deepEqual(p.stock, counts, `${p.id}: the list's counts are its own`);
  }
});

test('20 simultaneous orders on a coupon limited to 5 uses make exactly 5', async () => {
  const made = await api.call('POST', '/v1/coupons', { body: { code: 'FIVE', percent: '10', max_uses: 5, products: ['prod_xyz789', 'prod_bundle'] }, ...seller() });
  assert.equal(made.status, 201, made.text);
  assert.match(made.json.data.id, /^cpn_[0-9a-f]{16}$/);
  assert.equal(made.json.data.uses, 0);
  const body = { product_id: 'prod_bundle', variant_id: 'var_personal', buyer_email: 'rush@example.com', payment_method: 'crypto_btc', coupon_code: 'five' };
  const answers = await Promise.all(Array.from({ length: 20 }, () => api.createOrder(body)));
  const made5 = answers.filter((r) => r.status === 201);
  assert.equal(made5.length, 5, answers.map((r) => r.status).join(','));
  for (const r of answers.filter((a) => a.status !== 201)) {
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.json.error.invalid_fields, ['coupon_code']);
  }
  for (const r of made5) assert.equal(r.json.data.breakdown.coupon_discount, '1.90');
  const c = await api.call('GET', `/v1/coupons/${made.json.data.id}`, seller());
  assert.equal(c.json.data.uses, 5);
});

test('coupons: refused terms are named; expiry, product scope and archiving apply at once', async () => {
  const bad = await api.call('POST', '/v1/coupons', { body: { code: 'NO GOOD', percent: '120', max_uses: 0, expires_at: 'tomorrow', products: ['prod_nope'] }, ...seller() });
  assert.equal(bad.status, 422, bad.text);
  assert.deepEqual([...bad.json.error.invalid_fields].sort(), ['code', 'expires_at', 'max_uses', 'percent', 'products']);
  const both = await api.call('POST', '/v1/coupons', { body: { code: 'BOTH', percent: '5', fixed: '1.00' }, ...seller() });
  assert.equal(both.status, 422, both.text);
  const taken = await api.call('POST', '/v1/coupons', { body: { code: 'save10', percent: '5' }, ...seller() });
  assert.equal(taken.status, 422, 'codes match case-insensitively');

  const quote = (code, product_id = 'prod_xyz789') => api.call('POST', '/v1/quote', { body: { product_id, payment_method: 'stripe', coupon_code: code }, headers: { 'CF-Connecting-IP': api.nextIp() } });
  const soon = await api.call('POST', '/v1/coupons', { body: { id: 'cpn_soon', code: 'SOON', fixed: '2.00', products: ['prod_xyz789'] }, ...seller() });
  assert.equal(soon.status, 201, soon.text);
  assert.equal((await quote('SOON')).json.data.breakdown.coupon_discount, '2.00');
  assert.equal((await quote('SOON', 'prod_credits')).status, 422, 'not for another product');
  const expired = await api.call('PATCH', '/v1/coupons/cpn_soon', { body: { expires_at: '2020-01-01T00:00:00Z' }, ...seller() });
  assert.equal(expired.status, 200, expired.text);
  const late = await quote('SOON');
  assert.equal(late.status, 422, late.text);
  assert.match(late.json.error.message, /expired/);
  const recode = await api.call('PATCH', '/v1/coupons/cpn_soon', { body: { code: 'LATER' }, ...seller() });
  assert.deepEqual(recode.json.error.invalid_fields, ['code']);
  await api.call('PATCH', '/v1/coupons/cpn_soon', { body: { expires_at: null }, ...seller() });
  assert.equal((await quote('SOON')).status, 200);
  const archived = await api.call('DELETE', '/v1/coupons/cpn_soon', seller());
  assert.equal(archived.json.data.archived, true);
  assert.equal((await quote('SOON')).status, 422);
  const all = await api.call('GET', '/v1/coupons', seller());
  assert.ok(all.json.data.some((c) => c.id === 'cpn_soon' && c.archived));
  assert.equal((await api.call('GET', '/v1/coupons/cpn_nope', seller())).status, 404);
});

test('the catalog is exported whole and imported again; what an import leaves out is kept, archived', async () => {
  const exported = await api.call('GET', '/v1/catalog', seller());
  assert.equal(exported.status, 200, exported.text);
  assert.ok(exported.json.data.version > 1);
  assert.ok(!exported.text.includes('TG-14D1'), 'stock items are not in the document');
  const reseeded = await api.call('POST', '/v1/catalog/import', { raw: '', headers: api.seller });
  assert.equal(reseeded.status, 200, reseeded.text);
  const ids = reseeded.json.data.catalog.products.map((p) => [p.id, p.archived ?? false]);
  assert.ok(ids.some(([id, archived]) => id === 'prod_guide' && archived), JSON.stringify(ids));
  assert.ok(ids.some(([id, archived]) => id === 'prod_xyz789' && !archived));
  const bad = await api.call('POST', '/v1/catalog/import', { raw: '{"store": {}}', headers: api.seller });
  assert.equal(bad.status, 422, bad.text);
  const after = await api.call('GET', '/v1/catalog', seller());
  assert.equal(after.json.data.version, reseeded.json.data.version, 'a refused import changes nothing');
});

test('the audit log says who changed what, and when, newest first, never a stock item', async () => {
  const r = await api.call('GET', '/v1/audit?limit=200', seller());
  assert.equal(r.status, 200, r.text);
  const entries = r.json.data;
  assert.ok(r.json.meta.total >= entries.length);
  for (const e of entries) {
    assert.match(e.actor, /^(key:[0-9a-f]{12}|tollgate)$/);
    assert.ok(Number.isInteger(e.at_ms) && Math.abs(Date.now() - e.at_ms) < 10 * 60_000, JSON.stringify(e));
  }
  const actions = entries.map((e) => `${e.action} ${e.target}`);
  for (const a of ['product.create prod_guide', 'product.update prod_guide', 'product.archive prod_guide', 'stock.append prod_keys', 'stock.withdraw prod_keys', 'coupon.create cpn_soon', 'coupon.archive cpn_soon', 'catalog.import catalog', 'catalog.seed catalog']) {
    assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
  }
  assert.deepEqual(entries.map((e) => e.seq), [...entries.map((e) => e.seq)].sort((a, b) => b - a));
  assert.ok(!r.text.includes('KEY-AAAA'), 'no key in the log');
  const patch = entries.find((e) => e.action === 'product.update' && e.target === 'prod_priced');
  assert.equal(patch.detail.patch.price, '20.00');
  // An order's status set by the seller is a change too.
  const o = (await order('prod_xyz789')).json.data;
  await api.call('PATCH', `/v1/orders/${o.id}`, { body: { status: 'cancelled' }, ...seller() });
  const latest = (await api.call('GET', '/v1/audit?limit=1', seller())).json.data[0];
  assert.deepEqual([latest.action, latest.target, latest.detail.status], ['order.update', o.id, 'cancelled']);
  assert.equal((await api.call('GET', '/v1/audit?limit=0', seller())).status, 400);
});

test('every seller endpoint refuses a missing or wrong key, and answers no CORS', async () => {
  const endpoints = [
    ['GET', '/v1/products'], ['POST', '/v1/products'], ['PATCH', '/v1/products/prod_xyz789'], ['DELETE', '/v1/products/prod_xyz789'],
    ['GET', '/v1/products/prod_xyz789/stock'], ['POST', '/v1/products/prod_xyz789/stock'], ['DELETE', '/v1/products/prod_xyz789/stock/itm_0'],
    ['GET', '/v1/coupons'], ['POST', '/v1/coupons'], ['GET', '/v1/coupons/cpn_save10'], ['PATCH', '/v1/coupons/cpn_save10'], ['DELETE', '/v1/coupons/cpn_save10'],
    ['GET', '/v1/audit'], ['GET', '/v1/catalog'], ['POST', '/v1/catalog/import'], ['GET', '/v1/orders.csv'],
  ];
  for (const [method, path] of endpoints) {
    for (const headers of [{}, { Authorization: 'Bearer not-the-key' }, { Authorization: 'Basic abc' }]) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const r = await api.call(method, path, { body, headers: { ...headers, Origin: 'https://shop.example' } });
      assert.equal(r.status, 401, `${method} ${path} ${JSON.stringify(headers)}: ${r.text}`);
      assert.equal(r.headers.get('access-control-allow-origin'), null);
    }
  }
  assert.equal((await stock('prod_xyz789')).delivery, 'stock', 'nothing was archived or withdrawn');
  assert.equal((await api.call('GET', '/v1/products/prod_xyz789')).status, 200);
});
