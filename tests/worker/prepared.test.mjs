// The next order's object is opened while the buyer still looks at the product: the order then
// waits for no storage set-up. Checked in the worker's own Durable Object state: one object is
// opened ahead (never more, however often the product is read), the order lands in that very
// object, and the next one is opened after it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorker, client, eventually } from '../support/worker.mjs';

const ORDER = { product_id: 'prod_xyz789', buyer_email: 'buyer@example.com', payment_method: 'crypto_btc' };
let state, worker, api;

before(async () => {
  state = mkdtempSync(join(tmpdir(), 'tollgate-prepared-'));
  worker = await startWorker({}, { state });
  api = client(worker);
});
after(async () => {
  await worker?.stop();
  rmSync(state, { recursive: true, force: true });
});

/** Where workerd keeps the order objects' databases. */
const objectsDir = () => join(state, 'v3', 'do', 'tollgate-sandbox-OrderObject');

/** The order objects' databases, by file name (without `.sqlite`). */
function orderObjects() {
  const dir = objectsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite').map((f) => f.slice(0, -'.sqlite'.length));
}

/** Whether the object's database (or its write-ahead log, before a checkpoint) holds `text`. */
function holds(object, text) {
  const dir = objectsDir();
  return ['.sqlite', '.sqlite-wal'].some((ext) => existsSync(join(dir, object + ext)) && readFileSync(join(dir, object + ext)).includes(text));
}

test('a product read opens one object ahead; the order is made in it and the next is opened', async () => {
  assert.deepEqual(orderObjects(), [], 'no order object before any buyer came');
  assert.equal((await api.call('GET', '/v1/products/prod_xyz789')).status, 200);
  const [ahead] = await eventually(() => orderObjects().length === 1 && orderObjects(), 5000, 'one object opened ahead');

  for (let i = 0; i < 3; i++) assert.equal((await api.call('GET', '/v1/products/prod_xyz789')).status, 200);
  const quote = await api.call('POST', '/v1/quote', { body: { product_id: 'prod_xyz789', payment_method: 'crypto_eth' } });
  assert.equal(quote.status, 200);
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(orderObjects(), [ahead], 'more reads open no second object while one waits');

  const made = await api.createOrder(ORDER);
  assert.equal(made.status, 201);
  assert.ok(holds(ahead, made.json.data.id), 'the order is stored in the object opened ahead');
  const next = await eventually(() => orderObjects().length === 2 && orderObjects().find((o) => o !== ahead), 5000, 'the next object opened');
  assert.ok(!holds(next, made.json.data.id), 'the next one holds nothing yet');

  const second = await api.createOrder(ORDER);
  assert.equal(second.status, 201);
  assert.notEqual(second.json.data.id, made.json.data.id);
  assert.ok(holds(next, second.json.data.id), 'the second order takes the next object');
  const read = await api.call('GET', `/v1/orders/${second.json.data.id}`, { headers: { 'X-Client-Secret': second.json.data.client_secret } });
  assert.equal(read.status, 200);
  assert.equal(read.json.data.status, 'pending');
});
