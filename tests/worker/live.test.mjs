// The buyer's live socket against the real worker: authorised by the client secret in its first
// message, pushed every change at once, closed when the order is final, limited per order.
// Node 20 needs `--experimental-websocket` for its WebSocket (the test command passes it).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startWorker, client, eventually } from '../support/worker.mjs';

const ORDER = { product_id: 'prod_xyz789', buyer_email: 'buyer@example.com', payment_method: 'crypto_btc' };

/** A socket to an order, with every message and the close it got. */
function connect(base, id, hello) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/orders/${id}/live`);
  const got = { messages: [], closed: null, error: false, ws };
  ws.onopen = () => hello !== undefined && ws.send(hello);
  ws.onmessage = (e) => got.messages.push({ at: Date.now(), text: e.data, json: e.data.startsWith('{') ? JSON.parse(e.data) : null });
  ws.onclose = (e) => { got.closed = { code: e.code, reason: e.reason }; };
  ws.onerror = () => { got.error = true; };
  return got;
}

/** A raw upgrade request, to see the HTTP status a refused socket gets. */
function upgrade(base, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(base + path, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.end();
  });
}

describe('the live socket', () => {
  let worker;
  let api;
  before(async () => { worker = await startWorker({ ORDERS_PER_MINUTE_PER_IP: '1000' }); api = client(worker); });
  after(async () => worker?.stop());
  const create = async () => (await api.createOrder(ORDER)).json.data;
  const pay = (o, amount, confirmations) => api.call('POST', `/v1/sandbox/orders/${o.id}/pay`, {
    body: { amount, confirmations }, headers: { 'X-Client-Secret': o.client_secret },
  });

  test('with the client secret: the order at once, every change within moments, and a close when final', async () => {
    const o = await create();
    const live = connect(worker.base, o.id, JSON.stringify({ client_secret: o.client_secret }));
    const first = await eventually(() => live.messages[0], 5000, 'the first view');
    assert.equal(first.json.data.status, 'pending');
    assert.equal(first.json.data.client_secret, undefined, 'the view carries no secret');
    assert.equal(first.json.data.buyer_email, 'b***@example.com', 'the buyer\'s view, masked');
    const sent = Date.now();
    await pay(o, '0.0002', 0);
    const part = await eventually(() => live.messages[1], 2000, 'the part payment');
    assert.ok(part.at - sent < 500, `pushed after ${part.at - sent} ms`);
    assert.equal(part.json.data.amount_paid, '0.0002');
    assert.equal(part.json.data.amount_remaining, '0.00025125');
    await pay(o, '0.00025125', 2);
    const done = await eventually(() => live.messages[2], 2000, 'the completion');
    assert.equal(done.json.data.status, 'completed');
    assert.match(done.json.data.delivered_content, /^TG-/);
    const closed = await eventually(() => live.closed, 2000, 'the close');
    assert.equal(closed.code, 1000);
  });

  test('the heartbeat is answered', async () => {
    const o = await create();
    const live = connect(worker.base, o.id, JSON.stringify({ client_secret: o.client_secret }));
    await eventually(() => live.messages[0], 5000, 'the first view');
    live.ws.send('ping');
    const pong = await eventually(() => live.messages.find((m) => m.text === 'pong'), 2000, 'pong');
    assert.ok(pong);
    live.ws.close();
  });

  test('a wrong secret, or another order\'s, is refused with nothing sent', async () => {
    const [a, b] = [await create(), await create()];
    for (const hello of [JSON.stringify({ client_secret: 'cs_wrong' }), JSON.stringify({ client_secret: b.client_secret }), 'hello']) {
      const live = connect(worker.base, a.id, hello);
      const closed = await eventually(() => live.closed, 5000, 'the refusal');
      assert.equal(closed.code, 4401, hello);
      assert.deepEqual(live.messages, [], hello);
    }
  });

  test('at most five sockets per order; a plain request or an unknown order is refused', async () => {
    const o = await create();
    const open = [];
    for (let i = 0; i < 5; i++) {
      const live = connect(worker.base, o.id, JSON.stringify({ client_secret: o.client_secret }));
      await eventually(() => live.messages[0], 5000, `socket ${i + 1}`);
      open.push(live);
    }
    assert.equal(await upgrade(worker.base, `/v1/orders/${o.id}/live`), 429);
    open[0].ws.close();
    await eventually(() => open[0].closed, 5000, 'a socket closing');
    await eventually(async () => (await upgrade(worker.base, `/v1/orders/${o.id}/live`)) === 101, 5000, 'a place again');
    for (const live of open) live.ws.close();
    assert.equal((await api.call('GET', `/v1/orders/${o.id}/live`)).status, 426);
    assert.equal(await upgrade(worker.base, '/v1/orders/ord_00000000000000000000000000000000/live'), 404);
    assert.equal(await upgrade(worker.base, '/v1/orders/nope/live'), 404);
  });
});

describe('a live store with its origins', () => {
  test('refuses a socket from another site\'s page', async () => {
    const worker = await startWorker({ ALLOWED_ORIGINS: 'https://shop.example' });
    try {
      const o = (await client(worker).createOrder(ORDER)).json.data;
      assert.equal(await upgrade(worker.base, `/v1/orders/${o.id}/live`, { Origin: 'https://evil.example' }), 403);
      assert.equal(await upgrade(worker.base, `/v1/orders/${o.id}/live`, { Origin: 'https://shop.example' }), 101);
    } finally {
      await worker.stop();
    }
  });
});

describe('with live sockets turned off', () => {
  test('the socket is not found, so the checkout polls', async () => {
    const worker = await startWorker({ LIVE_SOCKETS: 'false' });
    try {
      const o = (await client(worker).createOrder(ORDER)).json.data;
      assert.equal(await upgrade(worker.base, `/v1/orders/${o.id}/live`), 404);
    } finally {
      await worker.stop();
    }
  });
});
