// Live updates in the browser, over the order's socket and with the worker's sockets off
// (LIVE_SOCKETS=false, so the widget polls): how long a payment takes to show in the checkout,
// and how many requests an open checkout makes per minute. A script, not a test: it prints a
// table. After `cargo xtask build`:
//
//   node --experimental-websocket tests/bench/live.mjs [payments (20)] [seconds watched (60)]
import { startWorker, client } from '../support/worker.mjs';
import { launch, sellerSite, sellerPage } from '../support/browser.mjs';

const PAYMENTS = Number(process.argv[2] ?? 20);
const WATCH_SECONDS = Number(process.argv[3] ?? 60);
const W = 'tollgate-modal';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Opens a checkout and makes a BTC order; its payment screen is showing when this returns. */
async function openOrder(page) {
  await page.evaluate(() => {
    window.tollgateEvents = [];
    window.Tollgate.open({ product: 'prod_xyz789', email: 'bench@example.com', method: 'crypto_btc' });
  });
  await page.locator(`${W} .quote .total`).waitFor();
  await page.locator(`${W} button[type=submit]`).click();
  await page.waitForFunction(() => window.tollgateEvents.some((e) => e.name === 'order'));
  const order = await page.evaluate(() => window.tollgateEvents.find((e) => e.name === 'order').detail);
  await page.locator(`${W} .qr svg`).waitFor();
  return order;
}

async function closeCheckout(page) {
  await page.evaluate(() => window.Tollgate.close());
  await page.locator(W).waitFor({ state: 'detached' });
}

/** Payment (the sandbox's pay request sent) to screen ("Payment seen" in the status), in ms. */
async function paymentToScreen(page, api, order) {
  await page.evaluate(() => {
    const root = document.querySelector('tollgate-modal').shadowRoot;
    window.seenAt = null;
    new MutationObserver(() => {
      if (!window.seenAt && root.querySelector('.status-line')?.textContent.startsWith('Payment seen')) {
        window.seenAt = Date.now();
      }
    }).observe(root, { subtree: true, childList: true, characterData: true });
  });
  const paid = Date.now();
  const r = await api.call('POST', `/v1/sandbox/orders/${order.id}/pay`, {
    body: { amount: order.crypto_amount, confirmations: 1 }, headers: api.seller,
  });
  if (r.status !== 200) throw new Error(`sandbox pay: ${r.status} ${r.text}`);
  await page.waitForFunction(() => window.seenAt, null, { timeout: 30_000 });
  return (await page.evaluate(() => window.seenAt)) - paid;
}

async function measure(name, vars) {
  const worker = await startWorker({ ORDERS_PER_MINUTE_PER_IP: '10000', ...vars });
  const api = client(worker);
  const site = await sellerSite({ '/': sellerPage(worker.base, '<p>Bench shop</p>') });
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const requests = [];
    page.on('request', (r) => requests.push({ at: Date.now(), method: r.method(), path: new URL(r.url()).pathname }));
    const frames = [];
    page.on('websocket', (ws) => {
      frames.push({ at: Date.now(), what: 'opened' });
      ws.on('framesent', (f) => frames.push({ at: Date.now(), what: String(f.payload).startsWith('{') ? 'hello' : String(f.payload) }));
    });
    await page.goto(site.origin + '/');
    await page.waitForFunction(() => window.Tollgate);

    // (1) Payment to screen. A payment lands anywhere in a poll's cycle: each waits a random
    // 0 to 3 s after the payment screen shows (a poll's interval while pending).
    const latencies = [];
    for (let i = 0; i < PAYMENTS; i++) {
      const order = await openOrder(page);
      await sleep(1000 + Math.random() * 3000);
      latencies.push(await paymentToScreen(page, api, order));
      await closeCheckout(page);
      process.stdout.write(i === 0 ? `${name}: payments .` : '.');
    }
    process.stdout.write('\n');

    // (2) One open, pending checkout, watched for WATCH_SECONDS once its screen has settled.
    await openOrder(page);
    await sleep(2000);
    const from = Date.now();
    await sleep(WATCH_SECONDS * 1000);
    const to = Date.now();
    const within = (x) => x.at >= from && x.at < to;
    const perMinute = (n) => (n * 60_000) / (to - from);
    const http = requests.filter(within);
    const reads = http.filter((r) => r.method === 'GET' && /^\/v1\/orders\/ord_[^/]+$/.test(r.path));
    const sent = frames.filter(within);
    await closeCheckout(page);
    return {
      name,
      median: median(latencies),
      min: Math.min(...latencies),
      max: Math.max(...latencies),
      requests: perMinute(http.length),
      reads: perMinute(reads.length),
      socketsOpened: perMinute(sent.filter((f) => f.what === 'opened').length),
      pings: perMinute(sent.filter((f) => f.what === 'ping').length),
    };
  } finally {
    await browser.close();
    await site.close();
    await worker.stop();
  }
}

const results = [await measure('socket', {}), await measure('polling', { LIVE_SOCKETS: 'false' })];
const row = (label, f) => console.log(label.padEnd(52) + results.map((r) => String(f(r)).padStart(12)).join(''));
console.log(`\n${PAYMENTS} payments per mode; one open pending checkout watched for ${WATCH_SECONDS} s\n`);
row('', (r) => r.name);
row('payment → screen, median (ms)', (r) => Math.round(r.median));
row('payment → screen, min / max (ms)', (r) => `${Math.round(r.min)} / ${Math.round(r.max)}`);
row('HTTP requests per open checkout per minute', (r) => r.requests.toFixed(1));
row('  of which order reads (GET /v1/orders/:id)', (r) => r.reads.toFixed(1));
row('sockets tried per minute (each an HTTP upgrade)', (r) => r.socketsOpened.toFixed(1));
row('socket heartbeats sent per minute', (r) => r.pings.toFixed(1));
