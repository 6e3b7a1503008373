// Buyers poll the worker, never the provider: 50 clients polling one order every second for
// 30 s cost the provider one read per refresh interval, not one per poll.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker } from '../support/worker.mjs';
import { startUpstream, upstreamVars } from '../support/upstream.mjs';

const CLIENTS = 50;
const SECONDS = 30;
let fake, worker;

before(async () => {
  fake = await startUpstream('sellgate');
  // SellGate's default interval (5 s) is the shortest of the five providers: the worst case.
  worker = await startWorker(upstreamVars(fake));
});
after(async () => {
  await worker?.stop();
  await fake?.close();
});

test(`${CLIENTS} clients polling one order every second for ${SECONDS} s`, async () => {
  const created = await fetch(`${worker.base}/v1/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'poll-1' },
    body: JSON.stringify({ product_id: 'prod_xyz789', buyer_email: 'poll@example.com', payment_method: 'crypto_btc' }),
  });
  assert.equal(created.status, 201);
  const order = (await created.json()).data;
  const readsBefore = fake.calls('GET').length;
  const answers = {};
  const end = Date.now() + SECONDS * 1000;
  const client = async (n) => {
    let etag = null;
    await new Promise((r) => setTimeout(r, (n * 1000) / CLIENTS)); // spread over the second
    while (Date.now() < end) {
      const headers = { 'X-Client-Secret': order.client_secret };
      if (etag) headers['If-None-Match'] = etag;
      const r = await fetch(`${worker.base}/v1/orders/${order.id}`, { headers });
      await r.arrayBuffer();
      etag = r.headers.get('etag') ?? etag;
      answers[r.status] = (answers[r.status] ?? 0) + 1;
      await new Promise((res) => setTimeout(res, 1000));
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  const polls = Object.values(answers).reduce((a, b) => a + b, 0);
  const reads = fake.calls('GET').length - readsBefore;
  console.log(`# ${polls} buyer polls (${JSON.stringify(answers)}) cost the provider ${reads} reads`);
  assert.deepEqual(Object.keys(answers).filter((s) => s !== '200' && s !== '304'), []);
  assert.ok(polls >= CLIENTS * (SECONDS - 2), `only ${polls} polls`);
  // One read per 5 s interval (and the first), however many buyers ask.
  assert.ok(reads >= SECONDS / 5 - 2 && reads <= SECONDS / 5 + 1, `${reads} upstream reads`);
});
