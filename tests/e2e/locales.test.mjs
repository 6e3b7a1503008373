// The checkout in the buyer's language, in headless Chromium on a seller page of another origin:
// German asked for by the script tag, Arabic (right to left) by the element, Japanese by
// `Tollgate.open`; every locale bought in to the receipt; a pseudo-locale 40 % longer than
// English on a phone. Amounts and addresses stay the machine's exact form, left to right, and
// are copied as such.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { useWorker } from '../support/worker.mjs';
import { launch, sellerSite, sellerPage, chooseMethod, axeCheck, VIEWPORT } from '../support/browser.mjs';

const api = useWorker({ ORDERS_PER_MINUTE_PER_IP: '1000' });
const texts = (tag) => JSON.parse(readFileSync(new URL(`../../widget/locales/${tag}.json`, import.meta.url), 'utf8'));
let browser, site;
const W = 'tollgate-modal';

before(async () => {
  browser = await launch();
  await api.ready;
  const buy = '<button id="buy" data-tollgate-product="prod_xyz789">Buy</button>';
  site = await sellerSite({
    '/de': sellerPage(api.base, buy, { scriptAttrs: 'data-locale="de"' }),
    '/ar': sellerPage(api.base, '<tollgate-checkout id="inline" product="prod_xyz789" locale="ar" email="ar@example.com" method="crypto_btc"></tollgate-checkout>'),
    '/ja': sellerPage(api.base, '<button id="open" onclick="Tollgate.open({ product: \'prod_xyz789\', locale: \'ja\' })">Buy</button>'),
    '/pseudo': sellerPage(api.base, buy, { scriptAttrs: 'data-locale="fr"' }),
    // The locale in the page's address: `/any?locale=tr`.
    '/any': sellerPage(api.base, '<button id="open" onclick="Tollgate.open({ product: \'prod_xyz789\', locale: new URLSearchParams(location.search).get(\'locale\') })">Buy</button>'),
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

async function newPage(path, { viewport = VIEWPORT, setup = async () => {} } = {}) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.origin });
  const page = await context.newPage();
  await setup(page);
  await page.goto(site.origin + path);
  await page.waitForFunction(() => window.Tollgate);
  return page;
}

/** The checkout's root element (its language and direction) inside the shadow root. */
const container = (page, host) => page.evaluate((h) => {
  const el = document.querySelector(h).shadowRoot.querySelector('[lang]');
  return { lang: el.lang, dir: el.dir };
}, host);

/** Waits for the form in `tag`'s words, then checks the checkout's language and direction. */
async function speaks(page, host, tag, dir) {
  const words = texts(tag);
  await page.locator(`${host} button[type=submit]`, { hasText: words['form.submit'] }).waitFor();
  assert.deepEqual(await container(page, host), { lang: tag, dir });
  assert.equal(await page.locator(`${host} fieldset.methods legend`).textContent(), words['form.pay_with']);
  return words;
}

async function create(page, host, email) {
  if (email) await page.locator(`${host} input[name=email]`).fill(email);
  await chooseMethod(page, `${host}`, 'crypto_btc');
  await page.locator(`${host} .quote .total`).waitFor();
  await page.locator(`${host} button[type=submit]`).click();
  await page.locator(`${host} .qr svg`).waitFor({ timeout: 20_000 });
}

/** Pays the page's order in full on the sandbox, confirmed, and waits for its goods in `host`. */
async function payInFull(page, host) {
  const order = (await page.evaluate(() => window.tollgateEvents)).find((e) => e.name === 'order').detail;
  const paid = await api.call('POST', `/v1/sandbox/orders/${order.id}/pay`, {
    body: { amount: order.crypto_amount, confirmations: 100 },
    headers: api.seller,
  });
  assert.equal(paid.status, 200, paid.text);
  await page.locator(`${host} [data-delivered]`).waitFor({ timeout: 20_000 });
}

test('German from data-locale: texts, the amount as the machine writes it, copied as such', async () => {
  const page = await newPage('/de');
  await page.click('#buy');
  const de = await speaks(page, W, 'de', 'ltr');
  assert.equal(await page.locator(`${W} .sandbox`).textContent(), de['checkout.test_mode']);
  await create(page, W, 'de@example.com');
  assert.equal(await page.locator(`${W} .status-line`).textContent(), de['status.waiting']);
  assert.equal(await page.locator(`${W} [data-copy=amount]`).textContent(), '0.00045125 BTC', 'never 0,00045125');
  assert.equal(await page.locator(`${W} .warning`).textContent(), de['pay.send_only'].replace('{asset}', 'BTC').replace('{network}', 'Bitcoin'));
  await page.locator(`${W} .copyable`).first().locator('button').click();
  await page.locator(`${W} p.muted`, { hasText: de['copy.amount_copied'] }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), '0.00045125');
  await page.context().close();
});

test('Arabic from the element: right to left, with amounts and addresses left to right, paid to the receipt', async () => {
  const page = await newPage('/ar');
  const host = '#inline';
  await speaks(page, host, 'ar', 'rtl');
  await axeCheck(page, 'the Arabic form');
  await create(page, host);
  await axeCheck(page, 'the Arabic payment');
  const direction = (selector) => page.locator(`${host} ${selector}`).evaluate((el) => getComputedStyle(el).direction);
  assert.equal(await direction('.status-line'), 'rtl');
  assert.equal(await direction('[data-copy=amount]'), 'ltr');
  assert.equal(await direction('[data-copy=address]'), 'ltr');
  assert.equal(await page.locator(`${host} [data-copy=amount]`).textContent(), '0.00045125 BTC');

  // Paid to the end: the receipt in Arabic, the goods and the masked email left to right.
  await payInFull(page, host);
  const ar = texts('ar');
  assert.equal(await page.locator(`${host} [data-receipt-for]`).textContent(), ar['receipt.for'].replace('{email}', 'a***@example.com'));
  assert.equal(await direction('[data-delivered]'), 'ltr');
  await axeCheck(page, 'the Arabic receipt');
  await page.context().close();
});

test('every locale: a buyer buys to the receipt in its words, the amount as the machine writes it', async () => {
  const tags = readdirSync(new URL('../../widget/locales/', import.meta.url)).map((f) => f.replace(/\.json$/, ''));
  assert.equal(tags.length, 20, 'the locales the checkout ships');
  for (const tag of tags) {
    const page = await newPage(`/any?locale=${tag}`);
    await page.click('#open');
    const words = await speaks(page, W, tag, ['ar', 'he'].includes(tag) ? 'rtl' : 'ltr');
    // Right to left in the modal too (Arabic is checked inline above), screen by screen.
    const rtlModal = tag === 'he';
    if (rtlModal) await axeCheck(page, 'the Hebrew form');
    await create(page, W, 'buyer@example.com');
    if (rtlModal) await axeCheck(page, 'the Hebrew payment');
    assert.equal(await page.locator(`${W} .status-line`).textContent(), words['status.waiting'], tag);
    assert.equal(await page.locator(`${W} [data-copy=amount]`).textContent(), '0.00045125 BTC', tag);
    await payInFull(page, W);
    assert.equal(await page.locator(`${W} [data-receipt-for]`).textContent(), words['receipt.for'].replace('{email}', 'b***@example.com'), tag);
    assert.match(await page.locator(`${W} [data-delivered]`).textContent(), /^TG-/, tag);
    if (rtlModal) await axeCheck(page, 'the Hebrew receipt');
    await page.context().close();
  }
});

test('Japanese from Tollgate.open', async () => {
  const page = await newPage('/ja');
  await page.click('#open');
  const ja = await speaks(page, W, 'ja', 'ltr');
  assert.equal(await page.locator(`${W} label`, { hasText: ja['form.quantity'] }).count(), 1);
  await page.context().close();
});

test('a locale file of another release is not used: the checkout speaks English', async () => {
  const stale = shipped(texts('fr'));
  stale[0] = '00000000';
  const page = await newPage('/pseudo', {
    setup: (p) => p.route('**/widget/locales/fr.json', (route) => route.fulfill({
      status: 200, contentType: 'application/json', headers: { 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify(stale),
    })),
  });
  await page.click('#buy');
  const en = texts('en');
  await page.locator(`${W} button[type=submit]`, { hasText: en['form.submit'] }).waitFor();
  assert.equal(await page.locator(`${W} fieldset.methods legend`).textContent(), en['form.pay_with']);
  await page.context().close();
});

/**
 * Texts in the form they ship in (widget/locale_format.rs): the fingerprint of the built
 * locale files, then each text in English's key order.
 */
function shipped(byKey) {
  const built = JSON.parse(readFileSync(new URL('../../www/widget/locales/fr.json', import.meta.url), 'utf8'));
  return [built[0], ...Object.keys(texts('en')).map((key) => byKey[key])];
}

/** English with every text 40 % longer (and accented), as a long language would be. */
function pseudo() {
  const en = texts('en');
  const out = {};
  for (const [key, text] of Object.entries(en)) {
    // Placeholders stay whole; the padding goes at the end.
    const accented = text.replace(/(\{[a-z_]+\})|[aeiou]/g, (m, ph) => ph ?? { a: 'á', e: 'é', i: 'í', o: 'ö', u: 'ü' }[m]);
    out[key] = accented + ' ' + '·'.repeat(Math.ceil(text.length * 0.4));
  }
  return out;
}

test('a language 40 % longer than English fits a phone without overflowing', async () => {
  const long = pseudo();
  const page = await newPage('/pseudo', {
    viewport: { width: 390, height: 844 },
    setup: (p) => p.route('**/widget/locales/fr.json', (route) => route.fulfill({
      status: 200, contentType: 'application/json', headers: { 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify(shipped(long)),
    })),
  });
  await page.click('#buy');
  await page.locator(`${W} button[type=submit]`, { hasText: long['form.submit'] }).waitFor();
  const overflowing = () => page.evaluate(() => {
    const root = document.querySelector('tollgate-modal').shadowRoot;
    const dialog = root.querySelector('[role=dialog]');
    const edge = dialog.getBoundingClientRect();
    return [...dialog.querySelectorAll('*')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > edge.right + 1 || r.left < edge.left - 1 || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible' && el.clientWidth > 0);
      })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent.slice(0, 40)}`);
  });
  assert.deepEqual(await overflowing(), [], 'the form');
  await create(page, W, 'long@example.com');
  assert.deepEqual(await overflowing(), [], 'the payment screen');
  await page.context().close();
});
