// Headless Debian Chromium through playwright-core (no browser download), and a seller page
// served from an origin other than the worker's.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

/** The viewport pages open with: a desktop's, or `TOLLGATE_VIEWPORT` (`390x844`: the test
 * command runs the e2e tests a second time at a phone's size). */
export const VIEWPORT = (() => {
  const [width, height] = (process.env.TOLLGATE_VIEWPORT ?? '1280x800').split('x').map(Number);
  return { width, height };
})();

/** Chromium, whose pages and contexts open at `VIEWPORT` unless a test asks for another. */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const newPage = browser.newPage.bind(browser);
  const newContext = browser.newContext.bind(browser);
  browser.newPage = (options = {}) => newPage({ viewport: VIEWPORT, ...options });
  browser.newContext = (options = {}) => newContext({ viewport: VIEWPORT, ...options });
  return browser;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the page as it stands: no serious or critical violation. */
export async function axeCheck(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')})`);
  });
  assert.deepEqual(result, [], `${label}: accessibility violations`);
}

/** Serves `pages` ({path: html}) on 127.0.0.1; returns { origin, close }. */
export async function sellerSite(pages) {
  const server = createServer((req, res) => {
    const html = pages[new URL(req.url, 'http://x').pathname];
    res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html || 'not found');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((r) => server.close(r)) };
}

/** A seller page with the one script tag and whatever body it needs. */
export function sellerPage(workerBase, body, { head = '', scriptAttrs = '' } = {}) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Seller</title>${head}
<script src="${workerBase}/tollgate.js" async ${scriptAttrs}></script></head><body>${body}
<script>
  window.tollgateEvents = [];
  for (const name of ['open', 'order', 'status', 'completed', 'expired', 'error', 'close'])
    document.addEventListener('tollgate:' + name, (e) => window.tollgateEvents.push({ name, target: e.target.id || e.target.tagName, detail: e.detail }));
</script></body></html>`;
}

/** The picker's asset for a method string: `crypto_btc` and `flexpay_BTC` are `btc`,
 * `flexpay_USDT_TRC20` is `usdt`, `stripe` is `card`. */
export function assetOf(method) {
  if (method === 'stripe') return 'card';
  if (method === 'paypal') return 'paypal';
  return method.replace(/^(crypto|flexpay)_/, '').split('_')[0].toLowerCase();
}

/** Chooses `method` in the checkout's picker under `scope`: its asset, then, where the asset is
 * offered on more than one network, its network. */
export async function chooseMethod(page, scope, method) {
  await page.locator(`${scope} input[name=asset][value=${assetOf(method)}]`).check();
  const network = page.locator(`${scope} input[name=network][value=${method}]`);
  if (await network.count()) await network.check();
}
