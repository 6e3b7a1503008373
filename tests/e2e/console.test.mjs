// The seller's console in headless Chromium, with the real worker: a seller makes a product,
// loads three keys and a coupon in /dashboard; a buyer buys it with the coupon through the
// widget on a page of another origin; the seller then sees the order, its timeline, the revenue
// chart, and the order in the CSV download. Screenshots of the overview, light and dark, are
// written for the README (`TOLLGATE_SCREENSHOTS=dir`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useWorker, eventually } from '../support/worker.mjs';
import { startReceiver } from '../support/receiver.mjs';
import { launch, sellerSite, sellerPage, chooseMethod, axeCheck, VIEWPORT } from '../support/browser.mjs';

// The seller's endpoint refuses every event until `endpointUp`: deliveries fail, are retried
// once a second later, then given up, and the console sends them again.
let endpointUp = false;
const endpoint = await startReceiver(() => (endpointUp ? 200 : 500));
const api = useWorker({ ORDERS_PER_MINUTE_PER_IP: '1000', WEBHOOK_URL: endpoint.url, SELLER_WEBHOOK_SECRET: 'whsec_console_0123456789', WEBHOOK_RETRY_SECONDS: '1' });
const KEY = 'sg_test_sandbox';
const W = 'tollgate-modal';
const PHONE = VIEWPORT.width < 600;
let browser, site, seller, productId;

before(async () => {
  browser = await launch();
  await api.ready;
});

after(async () => {
  await browser?.close();
  await site?.close();
  await endpoint.stop();
});

/** The console, signed in; every page error is kept. */
async function openConsole(colorScheme = 'light') {
  const context = await browser.newContext({ colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  // The browser logs every 4xx; a refusal the console shows (a repeated key) is not an error.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) page.errors.push(m.text()); });
  const resp = await page.goto(`${api.base}/dashboard/`);
  const csp = resp.headers()['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors 'none'/);
  await page.locator('#seller-key').fill(KEY);
  await page.getByRole('button', { name: 'Open the console' }).click();
  await page.locator('header.top nav').waitFor();
  return page;
}

async function go(page, name) {
  await page.locator('header.top nav').getByRole('link', { name }).click();
  await page.locator('h1', { hasText: name }).waitFor();
}

test('a wrong key is refused and kept nowhere; the right one only in this tab', async () => {
  const page = await browser.newPage();
  await page.goto(`${api.base}/dashboard/`);
  await page.locator('#seller-key').fill('not-the-key');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'That key was not accepted' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0);
  await page.locator('#seller-key').fill(KEY);
  await page.keyboard.press('Enter');
  await page.locator('header.top nav').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('tollgate.seller_key')), KEY);
  assert.ok(!page.url().includes(KEY));
  assert.deepEqual(await page.context().cookies(), []);
  // A new tab (a new session) starts signed out.
  const other = await browser.newPage();
  await other.goto(`${api.base}/dashboard/`);
  await other.locator('#seller-key').waitFor();
  await page.close();
  await other.close();
});

test('the seller makes a product with three keys and a coupon, with no file edited', async () => {
  seller = await openConsole();
  await go(seller, 'Products');
  await axeCheck(seller, 'products');
  await seller.locator('#p-name').fill('Pro Course');
  await seller.locator('#p-price').fill('40.00');
  await seller.locator('#p-currency').fill('USD');
  await seller.getByRole('button', { name: 'Create product' }).click();
  const panel = seller.locator('section.card', { has: seller.locator('#panel-title') });
  await panel.locator('#panel-title', { hasText: 'Pro Course' }).waitFor();
  productId = (await panel.locator('#panel-title code').textContent()).trim();
  assert.match(productId, /^prod_[0-9a-f]{16}$/);
  await panel.locator('#keys').fill('COURSE-KEY-0001\nCOURSE-KEY-0002\nCOURSE-KEY-0003\n');
  await panel.getByRole('button', { name: 'Load keys' }).click();
  await panel.getByRole('status').filter({ hasText: '3 keys loaded.' }).waitFor();
  await panel.locator(`[data-stock=${productId}]`, { hasText: '3 available · 0 reserved · 0 delivered · 0 withdrawn' }).waitFor();
  assert.equal(await panel.locator('ul.items li').count(), 3);
  // A repeated key is refused, naming the line; nothing is added.
  await panel.locator('#keys').fill('COURSE-KEY-0004\nCOURSE-KEY-0002');
  await panel.getByRole('button', { name: 'Load keys' }).click();
  await panel.getByRole('alert').filter({ hasText: 'items[2]' }).waitFor();
  assert.equal(await panel.locator('ul.items li').count(), 3);
  await axeCheck(seller, 'product panel');

  await go(seller, 'Coupons');
  await seller.locator('#c-code').fill('COURSE25');
  await seller.locator('#c-amount').fill('25');
  await seller.locator('#c-max').fill('5');
  await seller.locator('#c-products').fill(productId);
  await seller.getByRole('button', { name: 'Create coupon' }).click();
  const row = seller.locator('tr[data-coupon=COURSE25]');
  await row.waitFor();
  assert.match(await row.textContent(), /25 %.*0 \/ 5/);
  await axeCheck(seller, 'coupons');
  assert.deepEqual(seller.errors, []);
});

test('a buyer on another origin buys it through the widget, with the coupon', async () => {
  site = await sellerSite({ '/': sellerPage(api.base, `<h1>Courses</h1><button id="buy" data-tollgate-product="${productId}">Buy the course</button>`) });
  const page = await browser.newPage();
  await page.goto(site.origin + '/');
  await page.waitForFunction(() => window.Tollgate);
  await page.click('#buy');
  await page.locator(`${W} input[name=email]`).fill('learner@example.com');
  await page.locator(`${W} input[name=coupon]`).fill('COURSE25');
  await page.locator(`${W} input[name=coupon]`).dispatchEvent('change');
  await chooseMethod(page, W, 'crypto_btc');
  await page.locator(`${W} .quote .total`, { hasText: '30.00' }).waitFor();
  await page.locator(`${W} button[type=submit]`).click();
  await page.waitForFunction(() => window.tollgateEvents.some((e) => e.name === 'order'));
  const order = (await page.evaluate(() => window.tollgateEvents)).find((e) => e.name === 'order').detail;
  assert.equal(order.total_amount, '30.00');
  const paid = await api.call('POST', `/v1/sandbox/orders/${order.id}/pay`, { body: { amount: order.crypto_amount, confirmations: 2 }, headers: api.seller });
  assert.equal(paid.status, 200, paid.text);
  const key = await page.locator(`${W} [data-delivered]`).textContent({ timeout: 20_000 });
  assert.match(key, /^COURSE-KEY-000[123]$/);
  await page.close();
});

test('the seller sees the order, its timeline, the revenue chart and the CSV', async () => {
  await go(seller, 'Orders');
  const row = seller.locator('table.orders tbody tr', { hasText: 'learner@example.com' });
  await row.waitFor();
  assert.match(await row.textContent(), /Pro Course.*30\.00 USD.*crypto_btc.*Completed/);
  // Filtered by status and method, it is still there; by another method, it is not.
  await seller.locator('#f-status').selectOption('completed');
  await seller.locator('#f-method').selectOption('crypto_btc');
  await seller.getByRole('button', { name: 'Filter' }).click();
  await row.waitFor();
  await seller.locator('#f-method').selectOption('stripe');
  await seller.getByRole('button', { name: 'Filter' }).click();
  await seller.locator('p.hint', { hasText: /^0 orders$/ }).waitFor();
  await seller.locator('#f-method').selectOption('crypto_btc');
  await seller.getByRole('button', { name: 'Filter' }).click();
  await row.waitFor();
  await axeCheck(seller, 'orders');

  const [download] = await Promise.all([seller.waitForEvent('download'), seller.getByRole('button', { name: 'Download CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.equal(download.suggestedFilename(), 'orders.csv');
  assert.match(csv, /learner@example\.com/);
  assert.equal(csv.trim().split('\n').length, 2, 'the header and the one filtered order');

  const number = (await row.locator('a').textContent()).trim();
  await row.locator('a').click();
  await seller.locator('h1', { hasText: `Order ${number}` }).waitFor();
  const timeline = await seller.locator('ol.timeline').textContent();
  assert.match(timeline, /order\.created/);
  assert.match(timeline, /order\.completed/);
  assert.match(await seller.locator('dl.facts').textContent(), /COURSE-KEY-000[123]/);
  const paid = seller.locator('table.payments tbody tr');
  assert.ok((await paid.count()) >= 1, 'each payment seen has a row');
  assert.match(await paid.first().textContent(), /\d\.\d+ BTC/);
  await axeCheck(seller, 'order detail');

  await go(seller, 'Overview');
  const chart = seller.locator('svg[data-currency=USD]');
  await chart.waitFor();
  assert.match(await chart.getAttribute('aria-label'), /USD/);
  assert.ok(await chart.locator('rect.bar[height]:not([height="0.0"])').count() >= 1, 'today has a bar');
  await axeCheck(seller, 'overview, light');
  await shoot(seller, 'console-overview-light.png');
  assert.deepEqual(seller.errors, []);
});

test('webhook deliveries sent again from the console; the activity log', async () => {
  const completed = seller.locator('table.deliveries tbody tr', { hasText: 'order.completed' });
  // The screen is read when it opens: opened again until the endpoint's refusals are in.
  const reopen = async () => {
    await go(seller, 'Orders');
    await go(seller, 'Deliveries');
    await completed.waitFor();
    return completed.getAttribute('data-state');
  };
  await eventually(async () => (await reopen()) === 'order.given_up', 15_000, 'the delivery given up');
  assert.match(await completed.textContent(), new RegExp(`${endpoint.url}.*HTTP 500`));
  assert.equal(await seller.locator('table.deliveries tbody tr[data-state="order.delivered"]').count(), 0);
  await axeCheck(seller, 'deliveries');

  endpointUp = true;
  const before = endpoint.accepted().length;
  await completed.getByRole('button', { name: /^Send again \(order\.completed, ORD-/ }).click();
  await eventually(() => endpoint.accepted().some((d) => d.json.type === 'order.completed'), 10_000, 'the event sent again');
  assert.ok(endpoint.accepted().length > before);
  // Read again, it shows as delivered; the filter leaves only those still not delivered.
  await eventually(async () => (await reopen()) === 'order.delivered', 10_000, 'the delivery made');
  await seller.getByLabel('Only those not delivered').check();
  const shown = () => seller.locator('table.deliveries tbody tr', { hasText: 'order.completed' }).count();
  await eventually(async () => (await shown()) === 0, 5_000, 'the delivered one hidden');

  // The audit log names what the seller changed, with the key's fingerprint, never the key.
  await go(seller, 'Activity');
  const log = seller.locator('main table');
  await log.waitFor();
  assert.match(await log.textContent(), /coupon\.create/);
  assert.doesNotMatch(await log.textContent(), new RegExp(KEY));
  await axeCheck(seller, 'activity');
  assert.deepEqual(seller.errors, []);
});

test('the overview in dark, keyboard-usable and clean', async () => {
  const page = await openConsole('dark');
  await page.locator('svg[data-currency=USD]').waitFor();
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(17, 19, 23)', 'the dark palette');
  await axeCheck(page, 'overview, dark');
  await shoot(page, 'console-overview-dark.png');
  // Tab reaches the navigation; Enter follows a link.
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press('Enter');
  await page.locator('h1', { hasText: focused }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** A screenshot of the page for the README, when asked for (desktop size only). */
async function shoot(page, name) {
  const dir = process.env.TOLLGATE_SCREENSHOTS;
  if (!dir || PHONE) return;
  await page.screenshot({ path: join(dir, name), fullPage: true });
}
