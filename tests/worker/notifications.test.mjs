// The seller's webhooks against the real worker: a receiver on loopback that fails, is down,
// is slow, or is the README's own; every event delivered once accepted, in order, signed, and
// kept across a restart of the worker.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as tcpServer } from 'node:net';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startWorker, client, freePort, eventually } from '../support/worker.mjs';
import { startReceiver } from '../support/receiver.mjs';
import { useUpstreamWorker, PROVIDERS, WEBHOOKS } from '../support/upstream.mjs';

const SECRET = 'whsec_test_0123456789abcdef';
const ORDER = { product_id: 'prod_xyz789', buyer_email: 'buyer@example.com', payment_method: 'crypto_btc' };
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');
const snippet = (marker, lang) => readme.split(`<!-- ${marker} -->`)[1].match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'))[1];

/** The signature check, written out here independently of the worker and the README. */
function signedBy(secret, d) {
  const [, t, v1] = d.signature.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  return createHmac('sha256', secret).update(`${t}.${d.body}`).digest('hex') === v1 && Math.abs(Date.now() / 1000 - Number(t)) < 60;
}

async function paidOrder(api) {
  const created = await api.createOrder(ORDER);
  assert.equal(created.status, 201, created.text);
  const o = created.json.data;
  const pay = await api.call('POST', `/v1/sandbox/orders/${o.id}/pay`, {
    body: { amount: o.crypto_amount, confirmations: 2 },
    headers: { 'X-Client-Secret': o.client_secret },
  });
  assert.equal(pay.json.data.status, 'completed');
  return o;
}

const hooks = (url, more = {}) => ({ WEBHOOK_URL: url, SELLER_WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_SECONDS: '1,1,1,1', ...more });

describe('a receiver that fails twice, then accepts', () => {
  let receiver;
  let worker;
  let api;
  before(async () => {
    receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
    worker = await startWorker(hooks(receiver.url));
    api = client(worker);
  });
  after(async () => { await worker?.stop(); await receiver?.stop(); });

  test('gets each event accepted exactly once, in order, signed, with the seller\'s view', async () => {
    const o = await paidOrder(api);
    const accepted = await eventually(() => receiver.accepted().length >= 3 && receiver.accepted(), 15_000, 'three accepted deliveries');
    await wait(1500); // nothing more arrives
    assert.deepEqual(receiver.accepted().map((d) => d.json.type), ['order.created', 'order.payment_seen', 'order.completed']);
    const ids = accepted.map((d) => d.json.id);
    assert.equal(new Set(ids).size, 3);
    assert.ok(ids.every((id) => id.startsWith(`evt_${o.id.slice(4)}_`)), ids.join());
    // The two refused were the first event, tried again with the same id.
    assert.deepEqual(receiver.received.slice(0, 3).map((d) => d.json.id), [ids[0], ids[0], ids[0]]);
    for (const d of receiver.received) assert.ok(signedBy(SECRET, d), d.signature);
    const done = accepted[2].json.data;
    assert.equal(done.id, o.id);
    assert.equal(done.buyer_email, 'buyer@example.com', 'the seller\'s full view');
    assert.match(done.delivered_content, /^TG-/);
    assert.equal(done.total_amount, '29.99');
  });

  test('the seller sees every attempt, and can send one again', async () => {
    const o = (await api.call('GET', '/v1/orders?limit=1', { headers: api.seller })).json.data[0];
    const r = await api.call('GET', `/v1/orders/${o.id}/events`, { headers: api.seller });
    assert.equal(r.status, 200, r.text);
    const [created] = r.json.data;
    assert.equal(created.type, 'order.created');
    const [d] = created.deliveries;
    assert.equal(d.url, receiver.url);
    assert.deepEqual(d.attempts.map((a) => a.status), [500, 500, 200]);
    assert.equal(d.next_try, null);
    assert.ok(d.delivered_at);
    const before = receiver.accepted().length;
    const again = await api.call('POST', `/v1/orders/${o.id}/events/${created.id}/redeliver`, { headers: api.seller });
    assert.equal(again.status, 202, again.text);
    const resent = await eventually(() => receiver.accepted().length > before && receiver.accepted().at(-1), 5000, 'the redelivery');
    assert.equal(resent.json.id, created.id);
    // Only the seller, and only real events.
    assert.equal((await api.call('GET', `/v1/orders/${o.id}/events`)).status, 401);
    assert.equal((await api.call('POST', `/v1/orders/${o.id}/events/evt_nope/redeliver`, { headers: api.seller })).status, 404);
  });
});

describe('a receiver that is down', () => {
  test('every attempt is recorded, the waits are kept, and then it is given up', async () => {
    // A receiver that drops every connection unanswered. Holding the port, rather than leaving
    // a free one, keeps the worker's own sockets (which take free ports too) off it.
    const down = tcpServer((socket) => socket.destroy());
    await new Promise((r) => down.listen(0, '127.0.0.1', r));
    const { port } = down.address();
    const worker = await startWorker(hooks(`http://127.0.0.1:${port}/hook`, { WEBHOOK_RETRY_SECONDS: '1,2' }));
    try {
      const api = client(worker);
      const o = (await api.createOrder(ORDER)).json.data;
      const events = async () => (await api.call('GET', `/v1/orders/${o.id}/events`, { headers: api.seller })).json.data;
      const given = await eventually(async () => {
        const [e] = await events();
        return e.deliveries[0].attempts.length === 3 && e.deliveries[0].next_try === null && e;
      }, 15_000, 'three attempts, then given up');
      const at = given.deliveries[0].attempts.map((a) => Date.parse(a.at));
      assert.ok(at[1] - at[0] >= 1000 && at[2] - at[1] >= 2000, `waits: ${at[1] - at[0]} ms, ${at[2] - at[1]} ms`);
      assert.ok(given.deliveries[0].attempts.every((a) => a.status === null && a.error), JSON.stringify(given));
      assert.equal(given.deliveries[0].delivered_at, null);
    } finally {
      await worker.stop();
      down.close();
    }
  });
});

describe('a restart of the worker between attempts', () => {
  test('loses no event', async () => {
    const state = mkdtempSync(join(tmpdir(), 'tollgate-restart-'));
    const port = await freePort();
    const vars = hooks(`http://127.0.0.1:${port}/hook`, { WEBHOOK_RETRY_SECONDS: '2,2,2,2,2' });
    let worker = await startWorker(vars, { state });
    let receiver;
    try {
      const o = await paidOrder(client(worker));
      await eventually(async () => {
        const r = await client(worker).call('GET', `/v1/orders/${o.id}/events`, { headers: client(worker).seller });
        return r.json.data[0].deliveries[0].attempts.length >= 1;
      }, 10_000, 'a first, failed attempt');
      await worker.stop();
      receiver = await startReceiver(() => 200, port);
      worker = await startWorker(vars, { state });
      const accepted = await eventually(() => receiver.accepted().length >= 3 && receiver.accepted(), 20_000, 'all three after the restart');
      assert.deepEqual(accepted.map((d) => d.json.type), ['order.created', 'order.payment_seen', 'order.completed']);
    } finally {
      await worker.stop();
      await receiver?.stop();
      rmSync(state, { recursive: true, force: true });
    }
  });
});

describe('a receiver that answers slowly', () => {
  let receiver;
  let worker;
  before(async () => {
    receiver = await startReceiver(async () => { await wait(4000); return 200; });
    worker = await startWorker(hooks(receiver.url));
  });
  after(async () => { await worker?.stop(); await receiver?.stop(); });

  test('does not hold up the buyer', async () => {
    const api = client(worker);
    const started = Date.now();
    const o = await paidOrder(api);
    const took = Date.now() - started;
    assert.ok(took < 2500, `the buyer waited ${took} ms`);
    await eventually(() => receiver.accepted().length >= 3, 20_000, 'the slow deliveries');
    assert.equal(receiver.accepted()[0].json.data.id, o.id);
  });
});

describe('the README\'s receivers', () => {
  let receiver;
  let worker;
  before(async () => {
    receiver = await startReceiver();
    worker = await startWorker(hooks(receiver.url));
  });
  after(async () => { await worker?.stop(); await receiver?.stop(); });

  test('accept real deliveries and refuse forgeries, in Node and in Python', async () => {
    await paidOrder(client(worker));
    const real = await eventually(() => receiver.accepted().length >= 3 && receiver.accepted(), 10_000, 'deliveries');
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-receivers-'));
    try {
      const cases = [];
      for (const d of real) {
        const t = Number(d.signature.match(/t=(\d+)/)[1]);
        cases.push([d.signature, d.body, t, true]);
        cases.push([d.signature, d.body.replace('"order.', '"orders.'), t, false]);
        cases.push([d.signature, d.body, t + 301, false]);
        cases.push([d.signature.replace(/t=\d+/, `t=${t + 1}`), d.body, t, false]);
        cases.push([d.signature, d.body, t, false, 'another secret']);
      }
      cases.push(['', real[0].body, 0, false], ['t=1', real[0].body, 1, false]);
      writeFileSync(join(dir, 'receiver.mjs'), snippet('receiver-node', 'js'));
      const { verify } = await import(pathToFileURL(join(dir, 'receiver.mjs')));
      for (const [header, body, now, expected, secret = SECRET] of cases) {
        assert.equal(verify(secret, header, Buffer.from(body), now), expected, `node: ${header} at ${now}`);
      }
      writeFileSync(join(dir, 'receiver.py'), snippet('receiver-python', 'python'));
      const driver = 'import json, sys\nfrom receiver import verify\nfor c in json.load(sys.stdin):\n    print(verify(c[4] if len(c) > 4 else sys.argv[1], c[0], c[1].encode(), c[2]))\n';
      const out = execFileSync('python3', ['-c', driver, SECRET], { cwd: dir, input: JSON.stringify(cases), encoding: 'utf8' });
      assert.deepEqual(out.trim().split('\n'), cases.map((c) => (c[3] ? 'True' : 'False')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('on every upstream gateway', () => {
  // One endpoint for all five: each worker's events carry their own order ids.
  let receiver;
  const endpoint = startReceiver().then((r) => (receiver = r));
  after(async () => receiver?.stop());

  for (const provider of PROVIDERS) {
    describe(provider, () => {
      const run = useUpstreamWorker(provider, async () => hooks((await endpoint).url, { UPSTREAM_REFRESH_SECONDS: '0' }));
      test('the provider\'s news moves the order, and the seller hears of it', async () => {
        const o = (await run.api.createOrder(ORDER)).json.data;
        run.fake.pay(o.id, { amount: run.fake.byRef(o.id).amount, confirmations: 6 });
        if (WEBHOOKS.has(provider)) {
          const r = await run.fake.webhook(o.id, run.fake.webhookRequest(o.id));
          assert.equal(r.status, 200, JSON.stringify(r.json));
        } else {
          // The buyer's polls read the provider.
          const read = () => run.api.call('GET', `/v1/orders/${o.id}`, { headers: { 'X-Client-Secret': o.client_secret } });
          await eventually(async () => (await read()).json.data.status === 'completed', 10_000, `${provider}: completed`);
        }
        const mine = () => receiver.accepted().filter((d) => d.json.data.id === o.id).map((d) => d.json.type);
        const told = await eventually(() => mine().includes('order.completed') && mine(), 10_000, `${provider}: order.completed`);
        assert.equal(told[0], 'order.created');
        assert.equal(new Set(told).size, told.length, told.join());
        assert.ok(receiver.accepted().filter((d) => d.json.data.id === o.id).every((d) => signedBy(SECRET, d)));
      });
    });
  }
});
