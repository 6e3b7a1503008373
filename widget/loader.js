/* Tollgate checkout loader. One classic script a seller adds to any page:
     <script src="https://<worker>/tollgate.js" async></script>
     <button data-tollgate-product="prod_xyz789">Buy</button>
   It binds Buy buttons (also ones added later: the click listener is on the document), the
   <tollgate-checkout> element, and window.Tollgate. The WebAssembly, the product and the
   buyer's locale's texts load before the click when a Buy button comes into view, is hovered
   or is focused, and never on a page without one. This file is served minified
   (www/tollgate.js, by cargo xtask). */
(() => {
  // Included twice, the first copy serves. Not a truthiness test: an element with id="Tollgate"
  // (or a frame named so) is window.Tollgate too, until this script sets it.
  const mark = Symbol.for('tollgate');
  try { if (window.Tollgate[mark]) return; } catch {}
  const script = document.currentScript;
  const src = new URL(script ? script.src : location.href);
  const cfg = {
    api: (script && script.dataset.api) || src.origin,
    theme: (script && script.dataset.theme) || 'auto',
    locale: script && script.dataset.locale,
  };
  const files = new URL('widget/', src);
  let wasm;
  // The browser loads its number data on first use (20 to 30 ms here), and finds the monospace
  // font the payment screen writes the amount and address in (a few ms of its layout): once the
  // widget is wanted, both are done while the page is idle rather than while the buyer waits.
  const idleWork = () =>
    (window.requestIdleCallback || setTimeout)(() => {
      new Intl.NumberFormat().format(0);
      const text = document.createElement('canvas').getContext('2d');
      if (text) {
        text.font = '1px ui-monospace,monospace';
        text.measureText('0');
      }
    });
  const load = () =>
    (wasm ??= (idleWork(), import(new URL('tollgate_widget.js', files).href)).then(async (m) => {
      await m.default({ module_or_path: new URL('tollgate_widget_bg.wasm', files) });
      return m;
    }));
  // A product's answer, fetched at most once a minute; each checkout that opens it reads its own
  // copy (a checkout removed before it mounted reads nothing). A failed fetch or a refusal (a
  // 429, a 5xx) is not kept; Try again always asks anew.
  const products = new Map();
  const product = (id) => {
    const p = products.get(id);
    if (p && performance.now() - p.at < 6e4) return p.answer;
    const answer = fetch(cfg.api + '/v1/products/' + encodeURIComponent(id));
    const forget = () => products.get(id)?.answer === answer && products.delete(id);
    answer.then((r) => r.ok || forget(), forget);
    products.set(id, { at: performance.now(), answer });
    return answer;
  };
  const copy = (id) => product(id).then((r) => r.clone());
  // Before the click: the wasm, then the buyer's locale's texts, and the product of each button
  // in view, hovered or focused (eight products at most per page).
  const warm = (el) => {
    const id = el.getAttribute('data-tollgate-product') ?? el.getAttribute('product');
    load().then((m) => m.prepare(el.getAttribute('data-tollgate-locale') || cfg.locale || '', navigator.languages.join(), files.href), () => (wasm = null));
    if (id && (products.has(id) || products.size < 8)) product(id);
  };
  const buyButton = (e) => e.target instanceof Element && e.target.closest('[data-tollgate-product]');
  for (const type of ['pointerover', 'focusin']) document.addEventListener(type, (e) => { const el = buyButton(e); el && warm(el); });
  const seen = window.IntersectionObserver && new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) { seen.unobserve(e.target); warm(e.target); }
  });
  const watch = () => seen && document.querySelectorAll('[data-tollgate-product]').forEach((el) => seen.observe(el));
  document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', watch) : watch();

  const num = (v) => (v == null || v === '' ? undefined : Number(v));
  const fromAttributes = (el, prefix) => {
    const a = (n) => el.getAttribute(prefix + n) ?? undefined;
    return { product: a('product'), variant: a('variant'), quantity: num(a('quantity')), email: a('email'), method: a('method'), coupon: a('coupon'), locale: a('locale') };
  };
  const fire = (target, name, detail) =>
    target.dispatchEvent(new CustomEvent('tollgate:' + name, { bubbles: true, composed: true, detail }));

  // Renders a checkout into `host`'s shadow root once the wasm is in, unless `live()` says the
  // host has been closed or removed meanwhile (then null); events go to `target`.
  // The product is fetched beside the wasm, not after it.
  async function render(host, options, target, mode, onClose, live) {
    host.dataset.theme = cfg.theme;
    const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    const answer = options.product ? copy(String(options.product)) : null;
    answer?.catch(() => {});
    const m = await load().catch((e) => { wasm = null; throw e; });
    const locale = options.locale || cfg.locale;
    const all = { ...options, api: cfg.api, locale, languages: navigator.languages, assets: files.href, mode };
    return live() ? m.mount(root, JSON.stringify(all), target, onClose, answer) : null;
  }

  let modal = null;
  function close() {
    if (!modal) return;
    const { host, handle, opener } = modal;
    modal = null;
    handle && handle.unmount();
    host.remove();
    fire(opener, 'close', null);
    if (opener && opener.isConnected && opener.focus) opener.focus();
  }
  async function open(options, opener) {
    performance.mark('tollgate:open');
    close();
    const target = opener && opener.isConnected ? opener : document.body;
    const host = document.createElement('tollgate-modal');
    document.body.append(host);
    modal = { host, handle: null, opener: target };
    const live = () => modal?.host === host;
    fire(target, 'open', { ...options });
    try {
      const handle = await render(host, options, target, 'modal', close, live);
      if (live()) modal.handle = handle;
      else handle?.unmount();
    } catch (e) {
      fire(target, 'error', { code: 'load_failed', message: String(e) });
      close();
    }
  }

  document.addEventListener('click', (e) => {
    const el = e.target instanceof Element && e.target.closest('[data-tollgate-product]');
    if (!el) return;
    e.preventDefault();
    open(fromAttributes(el, 'data-tollgate-'), el);
  });

  customElements.define('tollgate-checkout', class extends HTMLElement {
    // One token per connection: a mount that lands after the element was removed (and perhaps
    // added again) is dropped, so the element holds exactly one checkout.
    connectedCallback() {
      if (this._live) return;
      const live = (this._live = () => this._live === live);
      const options = fromAttributes(this, '');
      performance.mark('tollgate:open');
      fire(this, 'open', { ...options });
      render(this, options, this, 'inline', () => {}, live).then(
        (h) => { if (live()) this._handle = h; else h?.unmount(); },
        (e) => live() && fire(this, 'error', { code: 'load_failed', message: String(e) }),
      );
    }
    disconnectedCallback() {
      this._live = null;
      this._handle?.unmount();
      this._handle = null;
    }
  });

  window.Tollgate = { [mark]: true, open: (options) => open(options || {}, document.activeElement), close };
})();
