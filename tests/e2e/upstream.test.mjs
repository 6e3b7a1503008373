// The widget, unchanged, in front of each upstream provider's stand-in: a buyer on a seller's
// page pays through the provider (white-label QR or the provider's hosted page) and receives
// the goods.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { startWorker } from '../support/worker.mjs';
import { launch, sellerSite, sellerPage, chooseMethod } from '../support/browser.mjs';
import { startUpstream, upstreamVars, PROVIDERS, HOSTED, WEBHOOKS } from '../support/upstream.mjs';

const W = 'tollgate-modal';
let browser;
before(async () => { browser = await launch(); });
after(async () => browser?.close());

for (const provider of PROVIDERS) {
  describe(provider, () => {
    let fake, worker, site;
    before(async () => {
      fake = await startUpstream(provider);
      // Providers with webhooks keep their default refresh interval: the webhook does the work.
      const refresh = WEBHOOKS.has(provider) ? {} : { UPSTREAM_REFRESH_SECONDS: '1' };
      worker = await startWorker(upstreamVars(fake, refresh));
      site = await sellerSite({ '/': sellerPage(worker.base, '<button id="buy" data-tollgate-product="prod_xyz789">Buy</button>') });
    });
    after(async () => {
      await site?.close();
      await worker?.stop();
      await fake?.close();
    });

    test(`buy with BTC through ${provider}`, async () => {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(site.origin);
      await page.waitForFunction(() => window.Tollgate);
      await page.click('#buy');
      // Only the methods the provider can take are offered.
      // USDT's networks show once USDT is chosen (after the form is in).
      await page.locator(`${W} input[name=asset]`).first().waitFor();
      const usdt = page.locator(`${W} input[name=asset][value=usdt]`);
      if (await usdt.count()) await usdt.check();
      assert.equal(await page.locator(`${W} input[value=flexpay_USDT_TON]`).count(), provider === 'sellgate' || provider === 'coingate' ? 1 : 0);
      await chooseMethod(page, `${W}`, 'crypto_btc');
      await page.locator(`${W} input[name=email]`).fill('buyer@example.com');
      await page.locator(`${W} .quote .total`).waitFor();
      await page.locator(`${W} button[type=submit]`).click();
      await page.waitForFunction(() => window.tollgateEvents.some((e) => e.name === 'order'));
      const order = (await page.evaluate(() => window.tollgateEvents)).find((e) => e.name === 'order').detail;
      const up = fake.byRef(order.id);
      if (HOSTED.has(provider)) {
        const link = page.locator(`${W} a.primary`, { hasText: 'Continue to payment' });
        assert.equal(await link.getAttribute('href'), up.checkout);
        assert.equal(await page.locator(`${W} .qr`).count(), 0);
      } else {
        await page.locator(`${W} .qr svg`).waitFor();
        const png = PNG.sync.read(await page.locator(`${W} .qr`).screenshot());
        const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
        assert.equal(decoded, `bitcoin:${up.address}?amount=${up.amount.replace(/0+$/, '')}`);
        assert.equal(await page.locator(`${W} [data-copy=amount]`).textContent(), `${up.amount.replace(/0+$/, "")} BTC`);
      }
      fake.pay(order.id, { amount: up.amount, confirmations: 5 });
      if (WEBHOOKS.has(provider)) assert.equal((await fake.webhook(order.id)).status, 200);
      await page.waitForFunction(() => window.tollgateEvents.some((e) => e.name === 'completed'), null, { timeout: 20_000 });
      const delivered = await page.locator(`${W} [data-delivered]`).textContent();
      if (provider === 'coingate') assert.match(delivered, /^TG-/);
      else assert.equal(delivered, up.deliverable);
      assert.deepEqual(errors, []);
      await page.close();
    });
  });
}
