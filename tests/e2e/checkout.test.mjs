// The buyer's whole flow in headless Chromium: a seller page on another origin, the real worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { startWorker, useWorker, client, eventually } from '../support/worker.mjs';
import { launch, sellerSite, sellerPage, chooseMethod, axeCheck } from '../support/browser.mjs';


const api = useWorker({ ORDERS_PER_MINUTE_PER_IP: '1000' });
let browser, site;
const W = 'tollgate-modal';

before(async () => {
  browser = await launch();
  await api.ready;
  site = await sellerSite({
    '/': sellerPage(api.base, `<h1>My shop</h1>
      <button id="buy" data-tollgate-product="prod_xyz789">Buy</button>
      <button id="buy-card" data-tollgate-product="prod_xyz789" data-tollgate-method="stripe" data-tollgate-email="card@example.com">Buy by card</button>
      <div id="later"></div>`),
    '/hostile': sellerPage(api.base, '<p>Hostile page</p>', {
      head: '<style>button{display:none!important} *{color:red!important;font-size:40px!important;background:lime!important} div{display:none!important}</style>',
    }),
    '/inline': sellerPage(api.base, '<tollgate-checkout id="inline" product="prod_xyz789" email="inline@example.com" method="crypto_ltc"></tollgate-checkout>'),
    // An element named like the global (window.Tollgate is then that element), and the script twice.
    '/named': sellerPage(api.base, '<div id="Tollgate">Our shop</div><button id="buy" data-tollgate-product="prod_xyz789">Buy</button>', {
      head: `<script src="${api.base}/tollgate.js" async></script>`,
    }),
    '/remount': sellerPage(api.base, '<div id="slot"></div><div id="other"></div>'),
    // A page with no Buy button, and one whose button is far below the first screen.
    '/about': sellerPage(api.base, '<h1>About us</h1><p>No products here.</p>'),
    '/below': sellerPage(api.base, '<h1>Shop</h1><div style="height: 4000px"></div><button id="buy" data-tollgate-product="prod_xyz789">Buy</button>'),
    '/below-de': sellerPage(api.base, '<h1>Shop</h1><div style="height: 4000px"></div><button id="buy" data-tollgate-product="prod_xyz789">Buy</button>', { scriptAttrs: 'data-locale="de"' }),
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** A page of the seller's site; `setup(page)` runs before it loads (routes, listeners). */
async function newPage(path = '/', setup = async () => {}, origin = site.origin) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await setup(page);
  await page.goto(origin + path);
  await page.waitForFunction(() => window.Tollgate);
  page.errors = errors;
  return page;
}

const events = (page) => page.evaluate(() => window.tollgateEvents);

async function waitForEvent(page, name, timeout = 20_000) {
  await page.waitForFunction((n) => window.tollgateEvents.some((e) => e.name === n), name, { timeout });
  return (await events(page)).find((e) => e.name === name);
}

async function fillAndCreate(page, method, email = 'buyer@example.com') {
  await page.locator(`${W} input[name=email]`).fill(email);
  await chooseMethod(page, `${W}`, method);
  await page.locator(`${W} .quote .total`).waitFor();
  await page.locator(`${W} button[type=submit]`).click();
  return (await waitForEvent(page, 'order')).detail;
}

async function decodeQr(page) {
  const png = PNG.sync.read(await page.locator(`${W} .qr`).screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

async function sandbox(order, what, body) {
  const r = await api.call('POST', `/v1/sandbox/orders/${order.id}/${what}`, { body, headers: api.seller });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

test('buy with BTC: QR, payment, confirming, delivered key, events on the host page', async () => {
  const page = await newPage();
  const started = Date.now();
  const logFrom = api.worker.log().length;
  await page.click('#buy');
  const dialog = page.locator(`${W} [role=dialog]`);
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  await page.locator(`${W} input[name=email]`).waitFor();
  await axeCheck(page, 'form');

  // The email is checked before anything is sent.
  await chooseMethod(page, `${W}`, 'crypto_btc');
  await page.locator(`${W} input[name=email]`).fill('not-an-email');
  await page.locator(`${W} button[type=submit]`).click();
  await page.locator(`${W} [data-field=buyer_email]`).waitFor();
  assert.equal((await events(page)).some((e) => e.name === 'order'), false);

  const order = await fillAndCreate(page, 'crypto_btc');
  await page.locator(`${W} .qr svg`).waitFor();
  const clickToQr = Date.now() - started;
  // The quote and the create are simple requests: the buyer waits for no CORS preflight.
  const requests = api.worker.log().slice(logFrom).split('\n');
  assert.ok(requests.some((l) => /POST \/v1\/orders\b/.test(l)), 'the log shows the requests');
  assert.deepEqual(requests.filter((l) => /OPTIONS \/v1\/(orders|quote)\b/.test(l)), [], 'no preflight');
  // Bitcoin is the product's first method: its quote came with the product.
  assert.deepEqual(requests.filter((l) => /\/v1\/quote\b/.test(l)), [], 'no quote request');
  assert.match(order.payment_uri, /^bitcoin:tb1q[02-9ac-hj-np-z]+\?amount=0\.00045125$/);
  assert.equal('client_secret' in order, false, 'no script on the page gets the secret from an event');
  assert.equal(await decodeQr(page), order.payment_uri);
  assert.equal(await page.locator(`${W} [data-copy=amount]`).textContent(), '0.00045125 BTC');
  assert.equal(await page.locator(`${W} [data-copy=address]`).textContent(), order.payment_address);
  assert.equal(await page.locator(`${W} .warning`).textContent(), 'Send only BTC on Bitcoin');
  assert.equal(await page.locator(`${W} a.wallet`).getAttribute('href'), order.payment_uri);
  assert.match(await page.locator(`${W} [data-countdown]`).textContent(), /^(30:00|29:[0-5]\d)$/);
  assert.match(await page.locator(`${W} .sandbox`).textContent(), /Test mode/);
  await axeCheck(page, 'payment');

  await sandbox(order, 'pay', { amount: order.crypto_amount, confirmations: 1 });
  await page.locator(`${W} .status-line`, { hasText: 'Payment seen. Confirmations: 1 of 2.' }).waitFor({ timeout: 15_000 });
  await sandbox(order, 'confirm', { confirmations: 2 });
  const completed = await waitForEvent(page, 'completed');
  assert.equal(completed.target, 'buy', 'events are dispatched on the button');
  const key = await page.locator(`${W} [data-delivered]`).textContent();
  assert.match(key, /^TG-[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
  assert.equal(completed.detail.delivered_content, key);
  assert.equal(completed.detail.buyer_email, 'b***@example.com');
  await axeCheck(page, 'completed');

  const names = (await events(page)).map((e) => e.name);
  assert.deepEqual(names.filter((n) => n !== 'status'), ['open', 'order', 'completed']);
  const statuses = (await events(page)).filter((e) => e.name === 'status').map((e) => e.detail.status);
  assert.deepEqual(statuses, ['confirming', 'completed']);

  // Esc closes the dialog; focus returns to the button.
  await page.keyboard.press('Escape');
  await page.locator(W).waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'buy');
  assert.ok((await events(page)).some((e) => e.name === 'close'));
  assert.deepEqual(page.errors, []);
  console.log(`# click to QR: ${clickToQr} ms (includes loading the widget, the quote and creating the order)`);
  await page.close();
});

test('a partial payment shows the remainder and a QR for exactly it', async () => {
  const page = await newPage();
  await page.click('#buy');
  const order = await fillAndCreate(page, 'crypto_eth');
  await page.locator(`${W} .qr svg`).waitFor();
  assert.equal(await decodeQr(page), order.payment_uri);
  await sandbox(order, 'pay', { amount: '0.004', confirmations: 0 });
  await page.locator(`${W} .status-line`, { hasText: 'Send the remaining 0.00599667 ETH.' }).waitFor({ timeout: 15_000 });
  const remainder = await decodeQr(page);
  assert.equal(remainder, `ethereum:${order.payment_address}@11155111?value=5996670000000000`);
  assert.equal(await page.locator(`${W} [data-copy=amount]`).textContent(), '0.00599667 ETH');
  await page.close();
});

test('USDT on TRON: no wallet link to a bare address, and a QR of something to pay to', async () => {
  const page = await newPage();
  await page.click('#buy');
  const order = await fillAndCreate(page, 'flexpay_USDT_TRC20');
  await page.locator(`${W} .qr svg`).waitFor();
  const qr = await decodeQr(page);
  assert.ok(qr, 'the QR decodes to a value');
  assert.equal(qr, order.payment_uri || order.payment_address);
  assert.match(qr, /^T[1-9A-HJ-NP-Za-km-z]{33}$/, 'TRON has no URI scheme: the QR is the address');
  // A bare address as href would be a relative link on the seller's site.
  const hrefs = await page.locator(`${W} a.wallet`).evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  for (const href of hrefs) assert.match(href, /^(bitcoin|litecoin|ethereum|solana|ton):./i);
  assert.equal(await page.locator(`${W} a[href]`).count(), hrefs.length, 'no other link in the payment screen');
  assert.equal(page.url(), site.origin + '/');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a page element with id="Tollgate" and a second copy of the script: Buy still opens one checkout', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.origin + '/named'); // the load event waits for both async copies to run
  // Named access makes window.Tollgate the <div> until the loader replaces it.
  await page.waitForFunction(() => typeof window.Tollgate?.open === 'function', null, { timeout: 10_000 });
  await page.click('#buy');
  await page.locator(`${W} input[name=email]`).waitFor();
  assert.equal(await page.locator(W).count(), 1);
  assert.deepEqual((await events(page)).map((e) => e.name), ['open']);
  await page.keyboard.press('Escape');
  await page.locator(W).waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.getElementById('Tollgate').textContent), 'Our shop');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the widget and the product load before the click when a Buy button comes into view, and never without one', async () => {
  // What the checkout asks for: the wasm, and products (as requests: a product's answer is read
  // only at the click, so it has no timing entry before).
  const watch = async (page) => {
    page.asked = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.endsWith('.wasm') || path.startsWith('/v1/products/') || path.includes('/locales/')) page.asked.push(path);
    });
  };
  const about = await newPage('/about', watch);
  await about.waitForTimeout(1500);
  assert.deepEqual(about.asked, [], 'a page without a Buy button loads nothing of the checkout');
  await about.close();

  const page = await newPage('/below', watch);
  await page.waitForTimeout(1500);
  assert.deepEqual(page.asked, [], 'nothing while the button is out of sight');
  await page.locator('#buy').scrollIntoViewIfNeeded();
  await eventually(() => page.asked.length === 2, 10_000, 'the wasm and the product, on sight');
  assert.deepEqual(page.asked.sort(), ['/v1/products/prod_xyz789', '/widget/tollgate_widget_bg.wasm']);
  // The click then uses both: neither is asked again.
  await page.click('#buy');
  await page.locator(`${W} input[name=email]`).waitFor();
  assert.deepEqual(page.asked.sort(), ['/v1/products/prod_xyz789', '/widget/tollgate_widget_bg.wasm']);
  await page.close();

  // A buyer's locale other than English: its texts too, before the click, and once.
  const de = await newPage('/below-de', watch);
  await de.waitForTimeout(1000);
  assert.deepEqual(de.asked, []);
  await de.locator('#buy').scrollIntoViewIfNeeded();
  const all = ['/v1/products/prod_xyz789', '/widget/locales/de.json', '/widget/tollgate_widget_bg.wasm'];
  await eventually(() => de.asked.length === 3, 10_000, 'the wasm, the product and the German texts, on sight');
  assert.deepEqual(de.asked.sort(), all);
  await de.click('#buy');
  await de.locator(`${W} button[type=submit]`, { hasText: 'Weiter zur Zahlung' }).waitFor();
  assert.deepEqual(de.asked.sort(), all);
  await de.close();
});

test('<tollgate-checkout> removed and added again before the widget has loaded mounts once', async () => {
  const page = await newPage('/remount');
  const productReads = [];
  page.on('request', (r) => { if (r.url().includes('/v1/products/')) productReads.push(r.url()); });
  const shadow = () => page.evaluate(() => {
    const root = window.el.shadowRoot;
    return { children: root.childElementCount, dialogs: root.querySelectorAll('.dialog').length, forms: root.querySelectorAll('form').length };
  });
  // At once, while the WebAssembly is not even requested yet: nothing has loaded before this.
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('.wasm'))), false);
  await page.evaluate(() => {
    const el = (window.el = document.createElement('tollgate-checkout'));
    el.setAttribute('product', 'prod_xyz789');
    document.getElementById('slot').append(el);
    el.remove();
    document.getElementById('slot').append(el);
  });
  const inline = page.locator('tollgate-checkout');
  await inline.locator('input[name=email]').waitFor();
  await inline.locator('fieldset.methods').waitFor();
  await new Promise((r) => setTimeout(r, 500)); // room for a second mount to show up
  assert.deepEqual(await shadow(), { children: 1, dialogs: 1, forms: 1 });
  assert.equal(productReads.length, 1, 'one checkout loaded the product');

  // Removed: nothing is left mounted. Moved elsewhere: one checkout again.
  await page.evaluate(() => window.el.remove());
  assert.deepEqual(await shadow(), { children: 0, dialogs: 0, forms: 0 });
  await page.evaluate(() => document.getElementById('other').append(window.el));
  await inline.locator('input[name=email]').waitFor();
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await shadow(), { children: 1, dialogs: 1, forms: 1 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the API out of reach, then back: each failure said in words with a way to try again, and accessible', async () => {
  let down = true;
  const page = await newPage('/', (p) => p.route(/\/v1\/(products|quote|orders)/, (route) => (down ? route.abort('connectionrefused') : route.continue())));
  await page.click('#buy');
  // The product: nothing to show but the failure and Try again.
  const unreachable = 'The checkout could not be reached. Check your connection and try again.';
  await page.locator(`${W} [role=alert]`, { hasText: unreachable }).waitFor();
  await axeCheck(page, 'the product out of reach');
  down = false;
  await page.locator(`${W} button.primary`, { hasText: 'Try again' }).click();
  await page.locator(`${W} input[name=email]`).fill('back@example.com');
  await page.locator(`${W} .quote .total`).waitFor();
  // The quote: said above the one button, which then asks for it again.
  down = true;
  await chooseMethod(page, W, 'crypto_ltc');
  await page.locator(`${W} form [role=alert]`, { hasText: unreachable }).waitFor();
  assert.equal(await page.locator(`${W} .quote`).count(), 0, 'no price of another method stays');
  await axeCheck(page, 'the quote out of reach');
  down = false;
  await page.locator(`${W} button[type=submit]`, { hasText: 'Try again' }).click();
  await page.locator(`${W} .quote .total`).waitFor();
  assert.equal(await page.locator(`${W} form [role=alert]`).count(), 0);
  // The create: the same, and the retry makes the order.
  down = true;
  await page.locator(`${W} button[type=submit]`).click();
  await page.locator(`${W} form [role=alert]`, { hasText: unreachable }).waitFor();
  await axeCheck(page, 'the create out of reach');
  down = false;
  await page.locator(`${W} button[type=submit]`, { hasText: 'Try again' }).click();
  await page.locator(`${W} .qr svg`).waitFor({ timeout: 20_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('card payment through the sandbox page, followed live by the widget', async () => {
  const page = await newPage();
  await page.click('#buy-card');
  await page.locator(`${W} input[name=email]`).waitFor();
  assert.equal(await page.locator(`${W} input[name=email]`).inputValue(), 'card@example.com');
  assert.equal(await page.locator(`${W} input[name=asset][value=card]`).isChecked(), true, 'data-tollgate-method preselects');
  await page.locator(`${W} .quote .total`).waitFor();
  assert.match(await page.locator(`${W} .quote .total`).textContent(), /\$31\.16/);
  await page.locator(`${W} button[type=submit]`).click();
  const link = page.locator(`${W} a.primary`);
  await link.waitFor();
  const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await tab.waitForLoadState();
  await tab.click('#pay');
  await tab.locator('#result').waitFor();
  await waitForEvent(page, 'completed');
  assert.match(await page.locator(`${W} [data-delivered]`).textContent(), /^TG-/);
  await tab.close();
  await page.close();
});

test('every crypto method and card, end to end through the widget', async () => {
  const methods = (await api.call('GET', '/v1/products/prod_xyz789')).json.data.payment_methods.map((m) => m.id);
  assert.equal(methods.length, 21);
  const page = await newPage();
  for (const method of methods.filter((m) => m !== 'stripe' && m !== 'paypal')) {
    await page.evaluate(() => { window.tollgateEvents = []; });
    await page.evaluate(() => window.Tollgate.open({ product: 'prod_xyz789' }));
    const order = await fillAndCreate(page, method);
    await page.locator(`${W} .qr svg`).waitFor();
    assert.equal(await decodeQr(page), order.payment_uri || order.payment_address, method);
    const network = order.network_name;
    assert.equal(await page.locator(`${W} .warning`).textContent(), `Send only ${order.crypto_currency} on ${network}`, method);
    await sandbox(order, 'pay', { amount: order.crypto_amount, confirmations: 100 });
    await waitForEvent(page, 'completed');
    assert.match(await page.locator(`${W} [data-delivered]`).textContent(), /^TG-/, method);
    await page.evaluate(() => window.Tollgate.close());
    await page.locator(W).waitFor({ state: 'detached' });
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('expiry: the countdown ends, tollgate:expired fires, a new order can start', async () => {
  const short = await startWorker({ INVOICE_SECONDS: '4' });
  const shortSite = await sellerSite({ '/': sellerPage(short.base, '<button id="buy" data-tollgate-product="prod_xyz789">Buy</button>') });
  const page = await browser.newPage();
  try {
    await page.goto(shortSite.origin + '/');
    await page.waitForFunction(() => window.Tollgate);
    await page.click('#buy');
    await page.locator(`${W} input[name=email]`).waitFor();
    await fillAndCreate(page, 'crypto_sol');
    await page.locator(`${W} .qr svg`).waitFor();
    await waitForEvent(page, 'expired', 20_000);
    await page.locator(`${W} .status-line`, { hasText: 'expired' }).waitFor();
    assert.equal(await page.locator(`${W} .qr`).count(), 0, 'no QR for an expired invoice');
    await axeCheck(page, 'the expired order');
    await page.locator(`${W} button.primary`, { hasText: 'Start a new order' }).click();
    await page.locator(`${W} input[name=email]`).waitFor();
  } finally {
    await page.close();
    await shortSite.close();
    await short.stop();
  }
});

test('hostile host CSS does not reach the widget, and buttons added later work', async () => {
  const page = await newPage('/hostile');
  await page.evaluate(() => window.Tollgate.open({ product: 'prod_xyz789' }));
  const submit = page.locator(`${W} button[type=submit]`);
  await submit.waitFor();
  const box = await submit.boundingBox();
  assert.ok(box && box.width > 50 && box.height > 20, `submit is visible: ${JSON.stringify(box)}`);
  const style = await submit.evaluate((el) => { const s = getComputedStyle(el); return { color: s.color, size: s.fontSize }; });
  assert.notEqual(style.color, 'rgb(255, 0, 0)');
  assert.notEqual(style.size, '40px');
  await page.close();

  const spa = await newPage('/');
  await spa.evaluate(() => {
    const b = document.createElement('button');
    b.id = 'late';
    b.dataset.tollgateProduct = 'prod_bundle';
    b.dataset.tollgateVariant = 'var_team';
    document.getElementById('later').append(b);
    b.textContent = 'Buy team';
  });
  await spa.click('#late');
  await spa.locator(`${W} select[name=variant]`).waitFor();
  assert.equal(await spa.locator(`${W} select[name=variant]`).inputValue(), 'var_team');
  // Each option's price as money, in the buyer's locale's way.
  assert.equal(await spa.locator(`${W} select[name=variant] option[value=var_team]`).textContent(), 'Team (5 seats) · $79.00');
  await spa.close();
});

test('inline mode renders in place; two widgets on one page work independently', async () => {
  const page = await newPage('/inline');
  const inline = page.locator('tollgate-checkout');
  await inline.locator('input[name=email]').waitFor();
  assert.equal(await inline.locator('input[name=asset][value=ltc]').isChecked(), true);
  await inline.locator('.quote .total').waitFor();
  await inline.locator('button[type=submit]').click();
  await inline.locator('.qr svg').waitFor();
  await page.evaluate(() => window.Tollgate.open({ product: 'prod_bundle', variant: 'var_personal' }));
  await page.locator(`${W} input[name=email]`).fill('modal@example.com');
  await chooseMethod(page, `${W}`, 'crypto_btc');
  await page.locator(`${W} button[type=submit]`).click();
  await page.locator(`${W} .qr svg`).waitFor();
  await page.keyboard.press('Escape');
  await page.locator(W).waitFor({ state: 'detached' });
  assert.equal(await inline.locator('.qr svg').count(), 1, 'closing the modal leaves the inline checkout alone');
  const orders = (await events(page)).filter((e) => e.name === 'order');
  assert.equal(orders.length, 2);
  assert.deepEqual(orders.map((o) => o.detail.product_id).sort(), ['prod_bundle', 'prod_xyz789']);
  assert.equal(orders.find((o) => o.detail.product_id === 'prod_xyz789').target, 'inline');
  await page.close();
});

test('live status without the socket (a proxy refuses it): polling, reconnecting on errors, paused while the tab is hidden', async () => {
  // Every socket is closed as it opens, before the order's first view: the widget polls.
  const page = await newPage('/', (p) => p.routeWebSocket(/\/live$/, (ws) => ws.close({ code: 1011, reason: 'refused' })));
  const polls = [];
  page.on('request', (r) => { if (/\/v1\/orders\/ord_/.test(r.url())) polls.push(Date.now()); });
  await page.click('#buy');
  await page.locator(`${W} input[name=email]`).waitFor();
  const order = await fillAndCreate(page, 'crypto_btc');
  await page.locator(`${W} .qr svg`).waitFor();

  // The API goes away: the widget says so, and keeps trying.
  await page.route(/\/v1\/orders\/ord_/, (route) => route.abort());
  await page.locator(`${W} .status`, { hasText: 'Reconnecting' }).waitFor({ timeout: 15_000 });
  await page.unroute(/\/v1\/orders\/ord_/);
  await sandbox(order, 'pay', { amount: order.crypto_amount, confirmations: 1 });
  await page.locator(`${W} .status-line`, { hasText: 'Payment seen' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(`${W} .status`, { hasText: 'Reconnecting' }).count(), 0);

  // Hidden: no polling. Visible again: one read at once.
  const setHidden = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await new Promise((r) => setTimeout(r, 1000));
  const before = polls.length;
  await sandbox(order, 'confirm', { confirmations: 2 });
  await new Promise((r) => setTimeout(r, 8000));
  assert.equal(polls.length, before, 'no polling while hidden');
  assert.equal(await page.locator(`${W} [data-delivered]`).count(), 0);
  const shown = Date.now();
  await setHidden(false);
  await page.locator(`${W} [data-delivered]`).waitFor({ timeout: 5000 });
  assert.ok(polls.at(-1) - shown < 1500, `read within ${polls.at(-1) - shown} ms of becoming visible`);
  await page.close();
});

/** Records, in the page, when the checkout's status first says `text` (`window.seen[text]`)
 * and whether it ever said "Reconnecting" (`window.seen.reconnecting`). */
async function watchStatus(page, text) {
  await page.evaluate((text) => {
    const root = document.querySelector('tollgate-modal').shadowRoot;
    window.seen ??= {};
    const check = () => {
      const status = root.querySelector('.status')?.textContent ?? '';
      if (text && !window.seen[text] && status.includes(text)) window.seen[text] = Date.now();
      if (status.includes('Reconnecting')) window.seen.reconnecting = true;
    };
    new MutationObserver(check).observe(root, { subtree: true, childList: true, characterData: true });
    check();
  }, text);
}

/** Every read of an order the page makes (`GET /v1/orders/:id`), as times. */
function countReads(page) {
  const reads = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && /^\/v1\/orders\/ord_[^/]+$/.test(new URL(r.url()).pathname)) reads.push(Date.now());
  });
  return reads;
}

/** The page's sockets: address, frames sent, views received, closed. */
function watchSockets(page) {
  const sockets = [];
  page.on('websocket', (ws) => {
    const s = { url: ws.url(), sent: [], views: 0, closed: false };
    sockets.push(s);
    ws.on('framesent', (f) => s.sent.push(String(f.payload)));
    ws.on('framereceived', (f) => { if (String(f.payload).startsWith('{"data"')) s.views++; });
    ws.on('close', () => { s.closed = true; });
  });
  return sockets;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('live socket: a sandbox payment shows in under 500 ms, and with the socket up nothing is polled', async () => {
  const page = await newPage();
  const reads = countReads(page);
  const sockets = watchSockets(page);
  await page.click('#buy');
  await page.locator(`${W} input[name=email]`).waitFor();
  const order = await fillAndCreate(page, 'crypto_btc');
  await page.locator(`${W} .qr svg`).waitFor();
  await eventually(() => sockets[0]?.views > 0, 5000, 'the order over the socket');
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].url, `${api.base.replace(/^http/, 'ws')}/v1/orders/${order.id}/live`);
  // The secret goes in the first message, never in the address.
  const hello = JSON.parse(sockets[0].sent[0]);
  assert.deepEqual(Object.keys(hello), ['client_secret']);
  assert.match(hello.client_secret, /^cs_[0-9a-f]{64}$/);

  // More than a poll's interval with the socket up: the order is not read once.
  await sleep(5000);
  assert.equal(reads.length, 0, 'no polls with the socket up');

  await watchStatus(page, 'Payment seen');
  const paid = Date.now();
  await sandbox(order, 'pay', { amount: order.crypto_amount, confirmations: 1 });
  await page.waitForFunction(() => window.seen['Payment seen'], null, { timeout: 5000 });
  const latency = (await page.evaluate(() => window.seen['Payment seen'])) - paid;
  assert.ok(latency < 500, `the payment showed ${latency} ms after it was made`);

  await sandbox(order, 'confirm', { confirmations: 2 });
  await waitForEvent(page, 'completed');
  assert.match(await page.locator(`${W} [data-delivered]`).textContent(), /^TG-/);
  const statuses = (await events(page)).filter((e) => e.name === 'status').map((e) => e.detail.status);
  assert.deepEqual(statuses, ['confirming', 'completed']);
  // Final: the socket is closed, and there was never a poll nor a "Reconnecting".
  await eventually(() => sockets[0].closed, 5000, 'the socket closed');
  assert.equal(reads.length, 0);
  assert.equal(await page.evaluate(() => window.seen.reconnecting ?? false), false);
  assert.deepEqual(page.errors, []);
  console.log(`# payment to screen over the socket: ${latency} ms`);
  await page.close();
});

test('live socket: dropped while the API is away, "Reconnecting"; then polling and the socket again', async () => {
  let away = false;
  const routes = [];
  // The socket passes through a route the test can cut, as a network would.
  const page = await newPage('/', (p) => p.routeWebSocket(/\/live$/, (ws) => {
    if (away) return ws.close({ code: 1011, reason: 'away' });
    ws.connectToServer();
    routes.push(ws);
  }));
  const reads = countReads(page);
  await page.click('#buy');
  await page.locator(`${W} input[name=email]`).waitFor();
  const order = await fillAndCreate(page, 'crypto_btc');
  await page.locator(`${W} .qr svg`).waitFor();
  await eventually(() => routes.length === 1, 5000, 'the socket');
  await sleep(4000);
  assert.equal(reads.length, 0, 'the socket is up');

  // The API goes away: the socket drops, new ones are refused, reads fail.
  away = true;
  await page.route(/\/v1\/orders\/ord_/, (route) => route.abort());
  routes[0].close({ code: 1011, reason: 'gone' });
  await page.locator(`${W} .status`, { hasText: 'Reconnecting' }).waitFor({ timeout: 5000 });
  assert.ok(reads.length >= 1, 'read at once when the socket dropped');

  // Back: "Reconnecting" goes, the socket is tried again (with back-off) and takes over.
  away = false;
  await page.unroute(/\/v1\/orders\/ord_/);
  await page.locator(`${W} .status`, { hasText: 'Reconnecting' }).waitFor({ state: 'detached', timeout: 20_000 });
  await eventually(() => routes.length === 2, 30_000, 'the socket again');
  await sleep(1000);
  const readsThen = reads.length;
  await watchStatus(page, 'Payment seen');
  const paid = Date.now();
  await sandbox(order, 'pay', { amount: order.crypto_amount, confirmations: 1 });
  await page.waitForFunction(() => window.seen['Payment seen'], null, { timeout: 5000 });
  const latency = (await page.evaluate(() => window.seen['Payment seen'])) - paid;
  assert.equal(reads.length, readsThen, 'over the socket, not a poll');
  assert.deepEqual(page.errors, []);
  console.log(`# payment to screen over the socket again: ${latency} ms`);
  await page.close();
});

test('with live sockets off on the worker (LIVE_SOCKETS=false), polling takes over and the purchase completes', async () => {
  const off = await startWorker({ LIVE_SOCKETS: 'false' });
  const offSite = await sellerSite({ '/': sellerPage(off.base, '<button id="buy" data-tollgate-product="prod_xyz789">Buy</button>') });
  let sockets, reads;
  const page = await newPage('/', async (p) => { sockets = watchSockets(p); reads = countReads(p); }, offSite.origin);
  try {
    await page.click('#buy');
    await page.locator(`${W} input[name=email]`).waitFor();
    const order = await fillAndCreate(page, 'crypto_btc');
    await page.locator(`${W} .qr svg`).waitFor();
    await watchStatus(page, 'Payment seen');
    await eventually(() => reads.length >= 1, 6000, 'a poll');
    assert.ok(sockets.length >= 1, 'the socket was tried');
    assert.equal(sockets[0].views, 0);
    const r = await client(off).call('POST', `/v1/sandbox/orders/${order.id}/pay`, {
      body: { amount: order.crypto_amount, confirmations: 2 }, headers: client(off).seller,
    });
    assert.equal(r.status, 200, r.text);
    await waitForEvent(page, 'completed');
    assert.match(await page.locator(`${W} [data-delivered]`).textContent(), /^TG-/);
    // A socket that cannot open while polling works is nothing to alarm the buyer with.
    assert.equal(await page.evaluate(() => window.seen.reconnecting ?? false), false);
    assert.deepEqual(page.errors, []);
    console.log(`# sockets tried while polling: ${sockets.length}; reads: ${reads.length}`);
  } finally {
    await page.close();
    await offSite.close();
    await off.stop();
  }
});

test('on a phone (390×844): a full-height sheet, the wallet button above the QR, 44 px targets', async () => {
  const page = await newPage('/', async (p) => p.setViewportSize({ width: 390, height: 844 }));
  await page.click('#buy');
  await page.locator(`${W} input[name=email]`).waitFor();
  const box = (selector) => page.locator(`${W} ${selector}`).first().boundingBox();
  const sheet = await box('[role=dialog]');
  assert.deepEqual([sheet.x, sheet.y, sheet.width, sheet.height], [0, 0, 390, 844], 'the sheet fills the screen');
  /** Visible controls smaller than 44 px in either direction a finger needs. */
  const small = () => page.evaluate(() => {
    const root = document.querySelector('tollgate-modal').shadowRoot;
    return [...root.querySelectorAll('button, a, label.asset, label.network, input:not([type=radio]), select')]
      .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && (r.height < 44 || r.width < 44); })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().width)}×${Math.round(el.getBoundingClientRect().height)}`);
  });
  assert.deepEqual(await small(), [], 'the form');
  await fillAndCreate(page, 'crypto_btc');
  await page.locator(`${W} .qr svg`).waitFor();
  const wallet = await box('a.wallet');
  const qr = await box('.qr');
  assert.ok(wallet.y + wallet.height <= qr.y, `the wallet button (y ${wallet.y}) comes before the QR (y ${qr.y})`);
  assert.deepEqual(await small(), [], 'the payment screen');
  await page.close();
});

test('on a desktop the QR leads and the wallet link follows', async () => {
  const page = await newPage('/', async (p) => p.setViewportSize({ width: 1280, height: 800 }));
  await page.click('#buy');
  await fillAndCreate(page, 'crypto_btc');
  await page.locator(`${W} .qr svg`).waitFor();
  const wallet = await page.locator(`${W} a.wallet`).boundingBox();
  const qr = await page.locator(`${W} .qr`).boundingBox();
  assert.ok(qr.y + qr.height <= wallet.y);
  await page.close();
});
