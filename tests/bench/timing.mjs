// `cargo xtask bench`'s browser part: how soon the checkout is ready, as a buyer meets it, in
// headless Chromium against the local worker. Measured in the page, from the click event's
// time to the widget's own User Timing marks, which it sets in the first animation frame that
// shows the result (`tollgate:ready`: the form, its product loaded and Pay enabled;
// `tollgate:qr`: the payment's QR code). The median of N runs each (20 unless
// TOLLGATE_BENCH_RUNS says otherwise):
// - cold: a new browser profile (empty cache), the click 1 s after the page loaded, as a buyer
//   who reads the page first (the preloading has started when the Buy button came into view);
// - cold, at once: the same, the click as soon as the loader runs (what preloading cannot hide);
// - cold, in German, 100 ms away: as cold, on a page whose script tag asks for German
//   (`data-locale`), with each request taking 100 ms more, as from a buyer far from the
//   worker: the locale's texts are one more file, which must not cost a round trip after the
//   click;
// - warm: the checkout closed and opened again on the same page;
// - Pay → QR: the click on the form's button (the default method, an email typed) to the QR,
//   how much of it the order's creation (the request's round trip) took, and of that the wait
//   for the answer's first byte (the worker's own time, which `Timing-Allow-Origin` lets the
//   page see), and how much the widget then took to show it (reading the answer, drawing, and
//   the wait for the frame).
// The page and the API are served by workerd's own socket, as bench.mjs measures the API:
// wrangler's dev proxy, which a deployment does not have, would add its own hop to every
// request (TOLLGATE_BENCH_VIA=proxy measures through it). Its state is on disk, as bench.mjs's
// is (TOLLGATE_BENCH_STATE=memory: in memory).
// Prints one table and writes it as JSON (argument 1, or bench-timing.json here).
import { writeFileSync } from 'node:fs';
import { startWorker, directBase, BENCH_IN_MEMORY } from '../support/worker.mjs';
import { launch, sellerSite, sellerPage } from '../support/browser.mjs';

const RUNS = Number(process.env.TOLLGATE_BENCH_RUNS ?? 20);
const out = process.argv[2] ?? 'bench-timing.json';
const W = 'tollgate-modal';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Milliseconds from the last click to the mark `name`, once the mark is there. */
async function sinceClick(page, name) {
  await page.waitForFunction((n) => performance.getEntriesByName(n).length > 0, name, { timeout: 20_000 });
  return page.evaluate((n) => performance.getEntriesByName(n).at(-1).startTime - window.clickedAt, name);
}

/** Clicks `selector` with the marks cleared, the click's time kept by the page. */
async function click(page, selector) {
  await page.evaluate(() => performance.clearMarks());
  await page.click(selector);
}

const worker = await startWorker({ ORDERS_PER_MINUTE_PER_IP: '10000', READS_PER_MINUTE_PER_IP: '100000' }, { inMemory: BENCH_IN_MEMORY });
const VIA = process.env.TOLLGATE_BENCH_VIA === 'proxy' ? 'proxy' : 'direct';
const base = VIA === 'proxy' ? worker.base : await directBase(worker);
const browser = await launch();
const shop = `<h1>Shop</h1><button id="buy" data-tollgate-product="prod_xyz789">Buy</button>
    <script>document.addEventListener('click', (e) => { window.clickedAt = e.timeStamp; }, true);</script>`;
const site = await sellerSite({
  '/': sellerPage(base, shop),
  '/de': sellerPage(base, shop, { scriptAttrs: 'data-locale="de"' }),
});
const rows = { cold: [], 'cold, at once': [], 'cold, in German, 100 ms away': [], warm: [], 'Pay → QR': [], '(of which the create request)': [], '(its first byte, from the request sent)': [], '(and from its answer to the QR on screen)': [] };
try {
  for (let i = 0; i < RUNS; i++) {
    for (const atOnce of [false, true]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(site.origin);
      await page.waitForFunction(() => window.Tollgate);
      if (!atOnce) await page.waitForTimeout(1000);
      await click(page, '#buy');
      rows[atOnce ? 'cold, at once' : 'cold'].push(await sinceClick(page, 'tollgate:ready'));
      if (!atOnce) {
        await page.evaluate(() => window.Tollgate.close());
        await click(page, '#buy');
        rows.warm.push(await sinceClick(page, 'tollgate:ready'));
        await page.locator(`${W} input[name=email]`).fill('timing@example.com');
        await page.locator(`${W} .quote .total`).waitFor();
        await click(page, `${W} button[type=submit]`);
        rows['Pay → QR'].push(await sinceClick(page, 'tollgate:qr'));
        const create = await page.evaluate(() => {
          const r = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === '/v1/orders').at(-1);
          return { took: r.duration, wait: r.responseStart - r.requestStart, after: performance.getEntriesByName('tollgate:qr').at(-1).startTime - r.responseEnd };
        });
        rows['(of which the create request)'].push(create.took);
        rows['(its first byte, from the request sent)'].push(create.wait);
        rows['(and from its answer to the QR on screen)'].push(create.after);
      }
      await context.close();
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: -1, uploadThroughput: -1 });
    await page.goto(site.origin + '/de');
    await page.waitForFunction(() => window.Tollgate);
    await page.waitForTimeout(1000);
    await click(page, '#buy');
    rows['cold, in German, 100 ms away'].push(await sinceClick(page, 'tollgate:ready'));
    await page.locator(`${W} button[type=submit]`, { hasText: 'Weiter zur Zahlung' }).waitFor();
    await context.close();
  }
} finally {
  await browser.close();
  await site.close();
  await worker.stop();
}

const table = Object.entries(rows).map(([what, ms]) => ({
  what,
  median_ms: Math.round(median(ms)),
  min_ms: Math.round(Math.min(...ms)),
  max_ms: Math.round(Math.max(...ms)),
  runs: ms.length,
}));
console.log(`\n| from the click to | median ms | min | max | runs |\n|---|---:|---:|---:|---:|`);
for (const r of table) console.log(`| ${r.what} | ${r.median_ms} | ${r.min_ms} | ${r.max_ms} | ${r.runs} |`);
writeFileSync(out, JSON.stringify({ measured_at: new Date().toISOString(), runs: RUNS, via: VIA, state: BENCH_IN_MEMORY ? 'memory' : 'disk', rows: table }, null, 2));
console.log(`\n(written to ${out})`);
