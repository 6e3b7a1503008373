/* Tollgate checkout loader. One classic script a seller adds to any page:
     <script src="https://<worker>/tollgate.js" async></script>
     <button data-tollgate-product="prod_xyz789">Buy</button>
   It binds Buy buttons (also ones added later: the click listener is on the document), the
   <tollgate-checkout> element, and window.Tollgate; the WebAssembly loads on first use. */
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
  const load = () =>
    (wasm ??= import(new URL('tollgate_widget.js', files).href).then(async (m) => {
      await m.default({ module_or_path: new URL('tollgate_widget_bg.wasm', files) });
      return m;
    }));

  const num = (v) => (v == null || v === '' ? undefined : Number(v));
  const fromAttributes = (el, prefix) => {
    const a = (n) => el.getAttribute(prefix + n) ?? undefined;
    return { product: a('product'), variant: a('variant'), quantity: num(a('quantity')), email: a('email'), method: a('method'), coupon: a('coupon'), locale: a('locale') };
  };
  const fire = (target, name, detail) =>
    target.dispatchEvent(new CustomEvent('tollgate:' + name, { bubbles: true, composed: true, detail }));

  // Renders a checkout into `host`'s shadow root once the wasm is in, unless `live()` says the
  // host has been closed or removed meanwhile (then null); events go to `target`.
  async function render(host, options, target, mode, onClose, live) {
    host.dataset.theme = cfg.theme;
    const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    const m = await load();
    const locale = options.locale || cfg.locale;
    const all = { ...options, api: cfg.api, locale, languages: navigator.languages, assets: files.href, mode };
    return live() ? m.mount(root, JSON.stringify(all), target, onClose) : null;
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
