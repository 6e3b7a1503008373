/* Tollgate checkout loader. One classic script a seller adds to any page:
     <script src="https://<worker>/tollgate.js" async></script>
     <button data-tollgate-product="prod_xyz789">Buy</button>
   It binds Buy buttons (also ones added later: the click listener is on the document), the
   <tollgate-checkout> element, and window.Tollgate; the WebAssembly loads on first use. */
(() => {
  if (window.Tollgate) return; // included twice: the first copy serves
  const script = document.currentScript;
  const src = new URL(script ? script.src : location.href);
  const cfg = {
    api: (script && script.dataset.api) || src.origin,
    theme: (script && script.dataset.theme) || 'auto',
    locale: (script && script.dataset.locale) || navigator.language || 'en',
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
    return { product: a('product'), variant: a('variant'), quantity: num(a('quantity')), email: a('email'), method: a('method'), coupon: a('coupon') };
  };
  const fire = (target, name, detail) =>
    target.dispatchEvent(new CustomEvent('tollgate:' + name, { bubbles: true, composed: true, detail }));

  // Renders a checkout into a fresh shadow root on `host`; events go to `target`.
  async function render(host, options, target, mode, onClose) {
    host.dataset.theme = cfg.theme;
    const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    const m = await load();
    return m.mount(root, JSON.stringify({ ...options, api: cfg.api, locale: cfg.locale, mode }), target, onClose);
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
    fire(target, 'open', { ...options });
    try {
      const handle = await render(host, options, target, 'modal', close);
      if (modal && modal.host === host) modal.handle = handle;
      else handle.unmount();
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
    connectedCallback() {
      if (this._handle) return;
      this._handle = true;
      fire(this, 'open', fromAttributes(this, ''));
      render(this, fromAttributes(this, ''), this, 'inline', () => {}).then(
        (h) => { if (this.isConnected) this._handle = h; else h.unmount(); },
        (e) => fire(this, 'error', { code: 'load_failed', message: String(e) }),
      );
    }
    disconnectedCallback() {
      if (this._handle && this._handle.unmount) this._handle.unmount();
      this._handle = null;
    }
  });

  window.Tollgate = { open: (options) => open(options || {}, document.activeElement), close };
})();
