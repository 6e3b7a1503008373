// Starts the console's wasm (its `start` mounts the app). A file, not an inline script: the
// console's Content-Security-Policy runs only the origin's own scripts.
import init from './tollgate_dashboard.js';

init({ module_or_path: new URL('./tollgate_dashboard_bg.wasm', import.meta.url) });
