// Stand-ins for the five upstream providers, on loopback. Each answers in the shapes of its
// provider's API documentation, records every request it receives, and
// lets a test move an order along (pay, confirm, expire…), send webhooks, or misbehave.
import { before, after } from 'node:test';
import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startWorker, client } from './worker.mjs';

const addresses = JSON.parse(readFileSync(new URL('./testnet-addresses.json', import.meta.url), 'utf8'));

export const PROVIDERS = ['sellgate', 'sellix', 'sellsn', 'selly', 'coingate'];
export const API_KEY = 'up_key_0123456789';
export const WEBHOOK_SECRET = 'whsec_fake_0123456789';
export const STORE_ID = '123e4567-e89b-12d3-a456-426614174000';
export const MERCHANT = 'Fake Shop';

/** Hosted-page providers: the buyer pays on the provider's page. */
export const HOSTED = new Set(['sellsn', 'coingate']);
/** Providers taken to honour an Idempotency-Key; at CoinGate a lost create is searched for. */
export const IDEMPOTENT = new Set(['sellgate', 'sellix', 'sellsn', 'selly']);
/** Providers whose webhooks Tollgate verifies. */
export const WEBHOOKS = new Set(['sellix', 'selly', 'coingate']);

// What every fake charges, by coin: [network, decimals, amount].
const COINS = {
  BTC: ['bitcoin', 8, '0.00045200'],
  LTC: ['litecoin', 8, '0.31250000'],
  ETH: ['ethereum', 18, '0.01234500'],
  SOL: ['solana', 9, '0.21000000'],
};
const GATEWAY_COIN = { BITCOIN: 'BTC', LITECOIN: 'LTC', ETHEREUM: 'ETH', SOLANA: 'SOL', bitcoin: 'BTC', litecoin: 'LTC', ethereum: 'ETH' };
const METHOD_COIN = { crypto_btc: 'BTC', crypto_ltc: 'LTC', crypto_eth: 'ETH', crypto_sol: 'SOL' };

/** Every status value each provider documents, with what Tollgate makes of it. */
export const DOCUMENTED = {
  sellgate: { pending: 'pending', confirming: 'confirming', completed: 'completed', refunded: 'refunded', cancelled: 'cancelled', expired: 'expired' },
  sellix: {
    PENDING: 'pending', SHOP_ACTION: 'pending', PARTIAL: 'pending', WAITING_FOR_CONFIRMATIONS: 'confirming', PROCESSING: 'confirming',
    COMPLETED: 'completed', VOIDED: 'expired', CANCELED: 'cancelled', CANCELLED: 'cancelled', REVERSED: 'refunded', REFUNDED: 'refunded',
  },
  sellsn: {
    Pending: 'pending', unpaid: 'pending', awaiting_payment: 'pending', partially_paid: 'pending', partial: 'pending', Confirming: 'confirming',
    processing: 'confirming', Completed: 'completed', paid: 'completed', Delivered: 'completed', Refunded: 'refunded', reversed: 'refunded',
    Cancelled: 'cancelled', canceled: 'cancelled', Expired: 'expired',
  },
  selly: { 0: 'pending', 1: 'expired', 5: 'cancelled', 10: 'cancelled', 11: 'cancelled', 50: 'cancelled', 51: 'refunded', 52: 'confirming', 53: 'pending', 54: 'confirming', 55: 'pending', 56: 'refunded', 100: 'completed' },
  coingate: { new: 'pending', pending: 'pending', confirming: 'confirming', paid: 'completed', invalid: 'cancelled', expired: 'expired', canceled: 'cancelled', refunded: 'refunded', partially_refunded: 'refunded' },
};

// Each provider's word for where an order is.
const STATUS = {
  sellgate: { pending: 'pending', partial: 'pending', confirming: 'confirming', completed: 'completed', expired: 'expired', cancelled: 'cancelled', refunded: 'refunded' },
  sellix: { pending: 'PENDING', partial: 'PARTIAL', confirming: 'WAITING_FOR_CONFIRMATIONS', completed: 'COMPLETED', expired: 'VOIDED', cancelled: 'CANCELED', refunded: 'REFUNDED' },
  sellsn: { pending: 'Pending', partial: 'partially_paid', confirming: 'Confirming', completed: 'Completed', expired: 'Expired', cancelled: 'Cancelled', refunded: 'Refunded' },
  selly: { pending: 0, partial: 53, confirming: 54, completed: 100, expired: 1, cancelled: 11, refunded: 56 },
  coingate: { pending: 'new', partial: 'pending', confirming: 'confirming', completed: 'paid', expired: 'expired', cancelled: 'canceled', refunded: 'refunded' },
};

/** An amount in the coin's smallest unit, exactly (decimal strings, no floating point). */
function toAtomic(amount, decimals) {
  const [whole, frac = ''] = String(amount).split('.');
  return BigInt(whole + frac.padEnd(decimals, '0').slice(0, decimals));
}

// A JSON number written with exactly these digits.
const num = (digits) => `__num:${digits}`;
const json = (v) => JSON.stringify(v).replace(/"__num:(-?[0-9.]+)"/g, '$1');

/**
 * Starts the fake for `provider`. `worker()` gives the worker's base URL, for the control
 * endpoints the README walk-through uses. Returns the fake's handle.
 */
export async function startUpstream(provider, { worker = () => null } = {}) {
  const orders = new Map(); // upstream id → order
  const requests = [];
  const failures = [];
  let nextId = 390551;
  let addressIndex = 0;

  const fake = {
    provider,
    base: null,
    requests,
    orders,
    /** What SellSN charges for its product (it prices orders itself); 29.99 unless set. */
    charge: null,
    /**
     * The next `times` API answers misbehave: 'timeout' | 500 | 429 | 'malformed' | 'unknown_status',
     * or 'slow' (a right answer, 3 s late). `only({method, path, body})` picks the requests that
     * take a failure (by default any): the worker also reads orders on its own, from alarms, and
     * an alarm may take a one-off failure meant for a buyer's read; `failFor` has no such race.
     */
    fail(kind, times = 1, only = () => true) { for (let i = 0; i < times; i++) failures.push({ kind, only }); },
    /**
     * An outage: for `ms`, every API answer picked by `only` misbehaves as `kind`. Besides the
     * kinds of `fail`: 'hang' (the request is read and never answered, nothing is done) and
     * 'reset' (the connection is reset, nothing is done); `fail` takes them too. Returns a
     * function that ends the outage at once.
     */
    failFor(kind, ms, only = () => true) {
      const failure = { kind, only, until: Date.now() + ms };
      failures.unshift(failure);
      return () => { failure.until = 1; };
    },
    /** Only requests about the order Tollgate knows as `ref` (its create, its reads). */
    about(ref) {
      return (r) => (r.method === 'POST' ? r.body.includes(ref) : r.path.includes(`/${fake.byRef(ref)?.id}`));
    },
    /** Requests to the provider's API (not the control endpoints), optionally by method. */
    calls(method) { return requests.filter((r) => !r.path.startsWith('/_') && (!method || r.method === method)); },
    byRef(ref) { return [...orders.values()].find((o) => o.ref === ref); },
    /** Changes the order Tollgate knows as `ref` behind the provider's back (its `updated_at` stays). */
    update(ref, changes) { return Object.assign(fake.byRef(ref), changes); },
    pay(ref, { amount, confirmations = 0 } = {}) {
      const o = touch(fake.byRef(ref));
      const due = o.coin ? o.amount : null;
      o.paid = due && amount && amount !== 'None' ? amount : due;
      o.confirmations = confirmations;
      o.phase = due && toAtomic(o.paid, 18) < toAtomic(due, 18) ? 'partial' : confirmations >= o.needed ? 'completed' : 'confirming';
      if (o.phase === 'completed') o.delivered = o.deliverable;
      return o;
    },
    confirm(ref, confirmations) {
      const o = touch(fake.byRef(ref));
      o.confirmations = confirmations;
      if (o.phase === 'confirming' && confirmations >= o.needed) { o.phase = 'completed'; o.delivered = o.deliverable; }
      return o;
    },
    /** The provider's view of the order, as its API returns it. */
    view(o) { return render[provider](o); },
    /** The provider's webhook for `ref` as it stands now; `sign` false leaves it unsigned, 'forged' signs it wrongly. */
    webhookRequest(ref, { sign = true, token, body: override } = {}) {
      const o = fake.byRef(ref);
      let body, headers;
      if (provider === 'coingate') {
        body = override ?? new URLSearchParams({
          id: String(o.id), order_id: o.ref, status: o.raw ?? STATUS.coingate[o.phase], price_amount: o.price,
          price_currency: o.currency, receive_currency: 'DO_NOT_CONVERT', token: token ?? o.token,
        }).toString();
        headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
      } else {
        body = override ?? (provider === 'sellix' ? json({ event: 'order:updated', data: render.sellixOrder(o) }) : json(render.selly(o)));
        const name = provider === 'sellix' ? 'X-Sellix-Signature' : 'X-Selly-Signature';
        headers = { 'Content-Type': 'application/json' };
        if (sign) headers[name] = createHmac('sha512', sign === 'forged' ? 'not-the-secret' : WEBHOOK_SECRET).update(body).digest('hex');
      }
      return { url: o.callback, headers, body };
    },
    /** Sends a webhook made by `webhookRequest` (or made now). */
    async webhook(ref, opts = {}) {
      const w = opts.url ? opts : fake.webhookRequest(ref, opts);
      const r = await fetch(w.url, { method: 'POST', headers: w.headers, body: w.body });
      return { status: r.status, json: await r.json().catch(() => null), ...w };
    },
    close: null,
  };

  // Every change moves the order's `updated_at` on, by a second at least.
  function touch(o) {
    o.updatedAt = Math.max(o.updatedAt + 1, Math.floor(Date.now() / 1000));
    return o;
  }

  function newOrder(fields) {
    const id = provider === 'coingate' ? nextId++ : `${provider}_${randomBytes(8).toString('hex')}`;
    const coinName = fields.coin;
    const [network, decimals, amount] = coinName ? COINS[coinName] : [];
    const o = {
      id, phase: 'pending', paid: null, updatedAt: Math.floor(Date.now() / 1000), confirmations: 0, needed: 2, delivered: null, raw: undefined,
      deliverable: `UPSTREAM-${String(id).slice(-6).toUpperCase()}`, createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(), txid: randomBytes(32).toString('hex'),
      coin: HOSTED.has(provider) ? null : coinName, decimals, amount: HOSTED.has(provider) ? null : amount,
      address: coinName && !HOSTED.has(provider) ? addresses[network][addressIndex++ % 3] : null,
      checkout: null, ...fields,
    };
    // Like the providers' own invoice links: a token of its own, not the order id.
    o.checkout = `${fake.base}/checkout/${randomBytes(12).toString('hex')}`;
    orders.set(String(o.id), o);
    return o;
  }

  const render = {
    sellgate: (o) => ({ data: {
      id: o.id, invoice_id: 'INV-FAKE', order_number: 'ORD-FAKE', product_id: o.product, product_name: 'Premium License',
      variant_id: null, buyer_email: o.email, quantity: o.quantity, total_amount: num(o.price), currency: 'USD',
      status: o.raw ?? STATUS.sellgate[o.phase], payment_method: o.method, crypto_currency: o.coin,
      crypto_amount: o.amount ? num(o.amount) : null, payment_address: o.address,
      amount_paid: o.paid ? num(o.paid) : null, txid: o.paid ? o.txid : null, confirmations: o.confirmations,
      discount_amount: null, created_at: o.createdAt, expires_at: o.expiresAt, delivered_content: o.delivered,
    } }),
    sellixOrder: (o) => ({
      uniqid: o.id, status: o.raw ?? STATUS.sellix[o.phase], total: num(o.price), currency: o.currency, gateway: o.gateway,
      customer_email: o.email, crypto_address: o.address, crypto_amount: o.amount ? num(o.amount) : null,
      crypto_received: o.paid ? num(o.paid) : (o.coin ? num('0') : null), crypto_uri: null,
      crypto_confirmations_needed: o.coin ? o.needed : null,
      crypto_transactions: o.paid ? [{ crypto_amount: num(o.paid), hash: o.txid, confirmations: o.confirmations }] : [],
      serials: o.delivered ? [o.delivered] : [], custom_fields: { tollgate_order: o.ref }, updated_at: o.updatedAt,
    }),
    sellix: (o) => ({ status: 200, data: { order: render.sellixOrder(o) } }),
    sellsnOrder: (o) => ({
      id: o.id, dateCreated: o.createdAt, status: o.raw ?? STATUS.sellsn[o.phase], gateway: o.gateway,
      transactionId: o.paid ? o.txid : null, cost: num(o.price), amountPaid: o.paid ? num(o.price) : num('0'),
      deliveredItem: o.delivered, customer: { emailAddress: o.email }, customValues: [{ key: 'tollgate_order', value: o.ref }],
    }),
    sellsn: (o) => render.sellsnOrder(o),
    selly: (o) => ({
      id: o.id, product_id: null, email: o.email, payment_gateway: o.gateway, status: o.raw ?? STATUS.selly[o.phase],
      currency: o.currency, value: o.price, quantity: 1, delivered: o.delivered, crypto_address: o.address,
      crypto_value: o.amount ? num(toAtomic(o.amount, o.decimals).toString()) : null,
      crypto_received: o.paid ? num(toAtomic(o.paid, o.decimals).toString()) : 0, crypto_confirmations: o.confirmations,
      updated_at: new Date(o.updatedAt * 1000).toISOString(),
    }),
    coingate: (o) => ({
      id: o.id, status: o.raw ?? STATUS.coingate[o.phase], do_not_convert: true, price_currency: o.currency,
      price_amount: o.price, receive_currency: 'DO_NOT_CONVERT', receive_amount: '', created_at: o.createdAt,
      order_id: o.ref, payment_url: o.checkout, underpaid_amount: '0', overpaid_amount: '0', is_refundable: false, token: o.token,
    }),
  };

  // Creates an order from a request body, or finds the one an Idempotency-Key already made.
  function create(req, body) {
    const idem = req.headers['idempotency-key'];
    const again = IDEMPOTENT.has(provider) && idem && [...orders.values()].find((o) => o.idem === idem);
    if (again) return again;
    const common = { idem, quantity: 1, currency: 'USD' };
    switch (provider) {
      case 'sellgate': {
        const b = JSON.parse(body);
        return newOrder({ ...common, ref: idem, product: b.product_id, email: b.buyer_email, method: b.payment_method, quantity: b.quantity, price: '29.99', coin: METHOD_COIN[b.payment_method] });
      }
      case 'sellix': {
        const b = JSON.parse(body);
        return newOrder({ ...common, ref: b.custom_fields.tollgate_order, email: b.email, gateway: b.gateway, price: b.value, currency: b.currency, coin: GATEWAY_COIN[b.gateway], callback: b.webhook, whiteLabel: b.white_label });
      }
      case 'sellsn': {
        const b = JSON.parse(body);
        return newOrder({ ...common, ref: b.customValues.find((c) => c.key === 'tollgate_order').value, email: b.emailAddress, gateway: b.gateway, price: fake.charge ?? '29.99', coin: GATEWAY_COIN[b.gateway], product: b.products[0].productId });
      }
      case 'selly': {
        const b = JSON.parse(body);
        return newOrder({ ...common, ref: idem, email: b.email, gateway: b.gateway, price: b.value, currency: b.currency, coin: GATEWAY_COIN[b.gateway], callback: b.webhook_url });
      }
      case 'coingate': {
        const b = Object.fromEntries(new URLSearchParams(body));
        return newOrder({ ...common, ref: b.order_id, email: b.purchaser_email, price: b.price_amount, currency: b.price_currency, coin: 'BTC', callback: b.callback_url, token: b.token });
      }
    }
  }

  function created(o) {
    switch (provider) {
      case 'sellix': return o.whiteLabel ? { status: 200, data: { invoice: render.sellixOrder(o), uniqid: o.id } } : { status: 200, data: { uniqid: o.id, url: o.checkout } };
      case 'sellsn': return { success: true, pages: 1, data: [{ order: render.sellsnOrder(o), checkoutUrl: o.checkout }] };
      case 'selly': return { ...render.selly(o), url: o.checkout };
      default: return render[provider](o);
    }
  }

  const routes = {
    sellgate: { create: /^\/v1\/orders$/, read: /^\/v1\/orders\/([^/]+)$/ },
    sellix: { create: /^\/v1\/payments$/, read: /^\/v1\/orders\/([^/]+)$/ },
    sellsn: { create: new RegExp(`^/stores/${STORE_ID}/orders$`), read: new RegExp(`^/stores/${STORE_ID}/orders/([^/]+)$`) },
    selly: { create: /^\/api\/v2\/pay$/, read: /^\/api\/v2\/orders\/([^/]+)$/ },
    coingate: { create: /^\/v2\/orders$/, read: /^\/v2\/orders\/([^/]+)$/, search: /^\/v2\/orders$/ },
  }[provider];
  const authorization = provider === 'coingate' ? `Token ${API_KEY}` : `Bearer ${API_KEY}`;

  async function control(path, req, body) {
    // The README walk-through's payment steps: move the order, tell the worker, read it back.
    const [ref, action] = path.split('/').slice(1);
    const b = body ? JSON.parse(body) : {};
    if (action === 'pay') fake.pay(ref, b);
    else fake.confirm(ref, b.confirmations);
    if (WEBHOOKS.has(provider)) await fake.webhook(ref);
    const r = await fetch(`${worker()}/v1/orders/${ref}`, { headers: { 'X-Client-Secret': req.headers['x-client-secret'] ?? '' } });
    return [r.status, await r.text()];
  }

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const path = new URL(req.url, 'http://x').pathname;
      requests.push({ method: req.method, url: req.url, path, headers: req.headers, body });
      const send = (status, text, headers = {}) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(text);
      };
      if (path.startsWith('/_control/')) {
        const [status, text] = await control(path.slice('/_control'.length), req, body);
        return send(status, text);
      }
      if (path.startsWith('/checkout/')) return send(200, '<!doctype html><title>Pay</title><h1>Fake hosted payment page</h1>', { 'Content-Type': 'text/html' });
      if (req.headers.authorization !== authorization) return send(401, json({ message: 'Unauthorized' }));
      // An outage (`failFor`) lasts until its time is up; a counted failure (`fail`) is used once.
      for (let i = failures.length - 1; i >= 0; i--) if (failures[i].until && failures[i].until <= Date.now()) failures.splice(i, 1);
      const at = failures.findIndex((f) => f.only({ method: req.method, path, body }));
      const failure = at < 0 ? undefined : failures[at].until ? failures[at].kind : failures.splice(at, 1)[0].kind;
      if (failure === 'hang') return; // closed by the client's deadline or by `close`
      if (failure === 'reset') return req.socket.resetAndDestroy();
      if (failure === 500) return send(500, json({ message: 'Internal Server Error' }));
      if (failure === 429) return send(429, json({ message: 'Too Many Requests' }), { 'Retry-After': '7' });
      let order;
      let m;
      if (req.method === 'GET' && routes.search && (m = path.match(routes.search))) {
        // CoinGate's order list, newest first.
        const found = [...orders.values()].reverse().map(render.coingate);
        return send(200, json({ current_page: 1, per_page: 100, total_orders: found.length, total_pages: 1, orders: found }));
      }
      if (req.method === 'POST' && routes.create.test(path)) order = create(req, body);
      else if (req.method === 'GET' && (m = path.match(routes.read)) && orders.has(m[1])) order = orders.get(m[1]);
      else return send(404, json({ message: 'Not found' }));
      const answer = () => {
        if (failure === 'malformed') return send(200, '{"data": {"id": ');
        const raw = order.raw;
        if (failure === 'unknown_status') order.raw = provider === 'selly' ? 999 : 'MYSTERY';
        const text = json(req.method === 'POST' ? created(order) : fake.view(order));
        order.raw = raw;
        send(200, text);
      };
      // A timeout: the order is made, but the answer comes too late for the worker.
      if (failure === 'timeout') setTimeout(answer, 2500).unref();
      else if (failure === 'slow') setTimeout(answer, 3000).unref();
      else answer();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.base = `http://127.0.0.1:${server.address().port}`;
  fake.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  return fake;
}

/** The worker vars that put `fake` behind the orders API. */
export function upstreamVars(fake, extra = {}) {
  return {
    GATEWAY: fake.provider,
    UPSTREAM_URL: fake.base,
    UPSTREAM_API_KEY: API_KEY,
    WEBHOOK_SECRET,
    SELLSN_STORE_ID: STORE_ID,
    SELLIX_MERCHANT: MERCHANT,
    UPSTREAM_TIMEOUT_MS: '1000',
    ...extra,
  };
}


/**
 * For a `describe` block: a stand-in for `provider` and a worker on it (`vars` added to the
 * usual ones, or a function that gives them once the block starts), started before the
 * block's tests and stopped after them. Returns
 * `{ api, fake, worker }`; `fake` and `worker` are set once the block's `before` has run.
 */
export function useUpstreamWorker(provider, vars = {}) {
  const target = { base: null };
  const run = { api: client(target), fake: null, worker: null };
  before(async () => {
    run.fake = await startUpstream(provider, { worker: () => target.base });
    const extra = typeof vars === 'function' ? await vars() : vars;
    run.worker = await startWorker(upstreamVars(run.fake, extra));
    target.base = run.worker.base;
  });
  after(async () => {
    await run.worker?.stop();
    await run.fake?.close();
  });
  return run;
}
