// workerd killed (SIGKILL) in the middle of order creations and payments, then the worker
// started again on the same Durable Object state. Afterwards no order is half made, no licence
// key is lost or sold twice, and the expiry alarms set before the kill still fire.
//
// Each round: idle orders (left to expire after the restart), orders paid during the burst,
// and orders created during the burst, every create with an Idempotency-Key. The kill comes
// once a third of the burst's requests have been answered. After the restart half the buyers
// of the burst whose create got no 201 send it again with its key (each must be 201, and the
// same order if the first got one); the other half give up, and whatever their first request
// left must be a whole order that expires, or nothing (its reservation undone). Every payment that did not land is made
// again, half the burst's orders are paid and the rest expire. After the last round the remaining stock is bought, exactly, and paid: the
// keys delivered are then the catalog's whole list, each once.
//
// TOLLGATE_KILLS (rounds: smoke 1, full 3), TOLLGATE_CRASH_ORDERS (idle orders, and orders
// paid in the burst, per round: 6), TOLLGATE_CRASH_BURST (creates in the burst: smoke 40, full
// 36; the more creates are under way at the kill, the likelier one is caught between its two
// steps), TOLLGATE_CRASH_INVOICE_SECONDS (30), TOLLGATE_SEED (the burst's timing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimePid, descendants } from '../support/worker.mjs';
import { startFrozenWorker, sandboxEvent, scaled, report, timedClient, buyerIp, stockList, listAll, within, wait, seller, Tally } from './harness.mjs';

const ROUNDS = scaled('TOLLGATE_KILLS', 1, 3);
const P = scaled('TOLLGATE_CRASH_ORDERS', 6, 6);
const BURST = scaled('TOLLGATE_CRASH_BURST', 40, 36);
const INVOICE_SECONDS = scaled('TOLLGATE_CRASH_INVOICE_SECONDS', 30, 30);
const SEED = scaled('TOLLGATE_SEED', Date.now() % 1e9, Date.now() % 1e9);
// Buyers who give up after a lost answer (every second one; TOLLGATE_CRASH_GIVE_UP=0 for none).
// A reservation a dead request left and nobody retries is undone by the store's sweep
// (`store::sweep`) once it is 15 s old, before the last stock is bought.
const GIVE_UP = scaled('TOLLGATE_CRASH_GIVE_UP', 1, 1) === 1;
const PRODUCT = 'prod_xyz789';
const KEYS = stockList(PRODUCT);
const VARS = { INVOICE_SECONDS: String(INVOICE_SECONDS) };

/** A small seeded generator (mulberry32), so a round's timing can be asked for again. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stops wrangler and makes sure nothing it started still runs (and holds the state). */
async function stopAll(worker) {
  const started = descendants(worker.pid).map((pid) => ({ pid, args: cmdline(pid) }));
  await worker.stop();
  for (const p of started) {
    // Only a process still running the command it ran then: a pid is never killed blindly.
    if (cmdline(p.pid) === p.args && p.args) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

function cmdline(pid) {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return null; }
}

test(`workerd killed during creates and payments, ${ROUNDS} time(s), then restarted on its state`, { timeout: (ROUNDS * (INVOICE_SECONDS + 120) + 240) * 1000 }, async () => {
  // Each round holds 2P + BURST keys at most, and sells P + BURST/2 of them.
  const needed = 2 * P + BURST + (ROUNDS - 1) * (P + Math.ceil(BURST / 2));
  assert.ok(KEYS.length >= needed, `prod_xyz789 has ${KEYS.length} keys: too few for ${ROUNDS} rounds of ${P} + ${BURST} orders (${needed})`);
  const state = mkdtempSync(join(tmpdir(), 'tollgate-crash-'));
  const target = { base: null };
  const call = timedClient(target, { timeoutMs: 20_000 });
  // Outside the burst, a create wrangler's dev proxy lost (`lostByProxy`) is sent again with
  // its key; the burst's own losses are the kill's, expected, and retried after the restart.
  const steady = timedClient(target, { timeoutMs: 20_000, retryLost: true });
  const rand = random(SEED);
  let worker = await startFrozenWorker(VARS, { state });
  target.base = worker.base;
  const figures = { rounds: [], seed: SEED, stock: KEYS.length };
  const completed = new Map(); // order id → delivered key
  const known = new Set(); // every order a buyer was given, in every round
  const told = new Set(); // orders already found wrong, told once
  const problems = [];
  // After the restart, a payment the dev proxy lost is sent again if it did not land.
  const proxy = { lost: 0 };
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const tally = new Tally();
      // Each create has a buyer email of its own, so the seller's list tells whose an order is.
      const create = (key, ip, client = steady) => client('POST', '/v1/orders', {
        body: { product_id: PRODUCT, buyer_email: `${key}@example.com`, payment_method: 'crypto_btc' },
        headers: { 'CF-Connecting-IP': ip, 'Idempotency-Key': key },
      });
      // A retry while the first request may still be making its order is told when to come
      // back (409 idempotency_in_progress, Retry-After); a buyer's retry honours it.
      const createRetrying = async (key, ip) => {
        for (let tries = 0; ; tries++) {
          const r = await create(key, ip);
          if (r.status !== 409 || r.json?.error?.code !== 'idempotency_in_progress' || tries >= 5) return r;
          await new Promise((resolve) => setTimeout(resolve, 1000 * Number(r.headers.get('retry-after') ?? 1)));
        }
      };
      const createMany = async (n, tag) => {
        const made = await Promise.all(Array.from({ length: n }, (_, i) => create(`crash-${SEED}-${round}-${tag}-${i}`, buyerIp(40 + round))));
        assert.deepEqual(made.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.text}`), [], `${tag} orders before the burst`);
        return made.map((r) => r.json.data);
      };
      const buyer = (o) => ({ 'X-Client-Secret': o.client_secret });
      const idle = await createMany(P, 'idle');
      const paid = await createMany(P, 'paid');

      // The burst: BURST creates and P payments (pay, then confirm), spread over 1.5 s; the
      // kill once a third of its requests have been answered.
      const attempts = Array.from({ length: BURST }, (_, i) => ({ key: `crash-${SEED}-${round}-burst-${i}`, ip: buyerIp(40 + round), at: rand() * 1500 }));
      const total = attempts.length + 2 * paid.length;
      let answered = 0;
      // wrangler's proxy answers 503 "Your worker restarted mid-request" for what was under
      // way at the kill: counted apart from the worker's own answers.
      const count = (r) => { answered++; tally.add(/restarted mid-request/.test(r.text) ? 'proxy_503_restarted' : r.status || `error:${r.error}`); return r; };
      const burst = [
        ...attempts.map(async (a) => {
          await wait(a.at);
          a.first = count(await create(a.key, a.ip, call));
          // A 201 whose body the kill cut off gave the buyer no order: as good as no answer.
          a.made = a.first.status === 201 ? a.first.json?.data ?? null : null;
        }),
        ...paid.map(async (o) => {
          await wait(rand() * 1500);
          o.payAnswer = count(await call('POST', `/v1/sandbox/orders/${o.id}/pay`, { body: { amount: o.crypto_amount, confirmations: 0 }, headers: buyer(o) }));
          o.confirmAnswer = count(await call('POST', `/v1/sandbox/orders/${o.id}/confirm`, { body: { confirmations: 2 }, headers: buyer(o) }));
        }),
      ];
      await within(5000, () => answered >= total / 3, 5);
      const killedAt = Date.now();
      const pid = runtimePid(worker);
      assert.ok(pid, 'the runtime workerd is found');
      process.kill(pid, 'SIGKILL');
      const answeredAtKill = answered;
      await Promise.all(burst);
      await stopAll(worker);
      worker = await startFrozenWorker(VARS, { state });
      target.base = worker.base;
      const restartedAt = Date.now();

      // 1. The creates of the burst, again with their keys: 201, and the same order when the
      //    first attempt got one. Half the buyers whose create got no 201 give up instead.
      attempts.forEach((a, i) => { a.gaveUp = GIVE_UP && !a.made && i % 2 === 1; });
      const retried = await Promise.all(attempts.map((a) => (a.gaveUp ? null : createRetrying(a.key, a.ip))));
      const burstOrders = [];
      attempts.forEach((a, i) => {
        const r = retried[i];
        if (a.gaveUp) return;
        if (r.status !== 201) {
          problems.push(`round ${round}: the retry of create ${a.key} (IP ${a.ip}; first answer ${a.first.status} ${a.first.text.slice(0, 120)}) got ${r.status} ${r.text.slice(0, 200)}`);
          return;
        }
        if (a.made && r.json.data.id !== a.made.id) {
          problems.push(`round ${round}: create ${a.key} made two orders: ${a.made.id} and, on retry, ${r.json.data.id}`);
        }
        burstOrders.push(r.json.data);
      });

      // 2. Payments that did not land are made again (the buyer's wallet, the chain's news).
      for (const o of paid) {
        const now = await call('GET', `/v1/orders/${o.id}`, { headers: seller });
        if (now.status !== 200) { problems.push(`round ${round}: paid order ${o.id} reads ${now.status} ${now.text.slice(0, 200)}`); continue; }
        let status = now.json.data.status;
        if (status === 'pending') {
          status = (await sandboxEvent(call, o, 'pay', { amount: o.crypto_amount, confirmations: 0 }, proxy)).json?.data?.status;
        }
        if (status === 'confirming') {
          status = (await sandboxEvent(call, o, 'confirm', { confirmations: 2 }, proxy)).json?.data?.status;
        }
        if (status !== 'completed') problems.push(`round ${round}: paid order ${o.id} ended ${status}`);
      }

      // 3. Half the burst's orders are paid now; the rest, with the idle ones, must expire.
      const payNow = burstOrders.filter((_, i) => i % 2 === 0);
      const lapse = [...idle, ...burstOrders.filter((_, i) => i % 2 === 1)];
      for (const o of payNow) {
        const r = await sandboxEvent(call, o, 'pay', { amount: o.crypto_amount, confirmations: 2 }, proxy);
        if (r.json?.data?.status !== 'completed') problems.push(`round ${round}: burst order ${o.id} paid after the restart is ${r.status} ${r.text.slice(0, 200)}`);
      }
      for (const o of [...paid, ...payNow]) {
        const r = await call('GET', `/v1/orders/${o.id}`, { headers: seller });
        if (r.json?.data?.status === 'completed') completed.set(o.id, r.json.data.delivered_content);
      }

      // 4. The expiry alarms (the idle orders' were set before the kill) fire: the seller's
      //    list, which only the orders' objects update, shows them expired. Their objects are
      //    not read meanwhile, so nothing but the alarm can expire them.
      const lastExpiry = Math.max(...lapse.map((o) => Date.parse(o.expires_at)));
      const lapseIds = new Set(lapse.map((o) => o.id));
      const expired = await within(Math.max(0, lastExpiry - Date.now()) + 30_000, async () => {
        const l = await listAll(call, `product_id=${PRODUCT}&status=expired`);
        return lapse.every((o) => l.orders.some((x) => x.id === o.id));
      }, 1000);
      const expiredAt = Date.now();
      if (!expired) {
        const l = await listAll(call, `product_id=${PRODUCT}`);
        problems.push(`round ${round}: not expired in the seller's list ${Math.round((expiredAt - lastExpiry) / 1000)} s after their expiry: ${l.orders.filter((x) => lapseIds.has(x.id) && x.status !== 'expired').map((x) => `${x.id} ${x.status}`).join(', ')}`);
      }

      // 5. The index and the objects agree: every order listed exists whole and shows the
      //    status it has; no create made two orders; and what a buyer who gave up left behind
      //    (an order whose answer was lost) has expired like any unpaid order.
      const listed = await listAll(call, `product_id=${PRODUCT}`);
      for (const o of [...idle, ...paid, ...burstOrders]) known.add(o.id);
      const byEmail = new Map();
      for (const x of listed.orders) byEmail.set(x.buyer_email, [...(byEmail.get(x.buyer_email) ?? []), x]);
      for (const x of listed.orders.filter((o) => !told.has(o.id))) {
        const r = await call('GET', `/v1/orders/${x.id}`, { headers: seller });
        const before = problems.length;
        if (r.status !== 200) problems.push(`round ${round}: ${x.id} (${x.buyer_email}) is in the seller's list (${x.status}) but reads ${r.status} ${r.text.slice(0, 160)}: a half-made order`);
        else if (r.json.data.status !== x.status) problems.push(`round ${round}: ${x.id} is ${x.status} in the list but ${r.json.data.status} in its object`);
        else if (!known.has(x.id) && x.status !== 'expired') problems.push(`round ${round}: ${x.id} (${x.buyer_email}), left by a buyer who gave up, is ${x.status}, not expired`);
        if (problems.length > before) told.add(x.id);
      }
      for (const [email, xs] of byEmail) {
        if (xs.length < 2 || xs.every((x) => told.has(x.id))) continue;
        problems.push(`round ${round}: ${email} has ${xs.length} orders: ${xs.map((x) => `${x.id} ${x.status}`).join(', ')}`);
        for (const x of xs) told.add(x.id);
      }
      const idleExpiresAfterRestart = idle.every((o) => Date.parse(o.expires_at) > restartedAt);
      figures.rounds.push({
        round, killed_pid: pid, answered_at_kill: answeredAtKill, burst_requests: total, burst_statuses: tally.by,
        burst_creates_201_first: attempts.filter((a) => a.made).length, burst_201_cut: attempts.filter((a) => a.first.status === 201 && !a.made).length, gave_up: attempts.filter((a) => a.gaveUp).length,
        left_by_those_who_gave_up: listed.orders.filter((x) => !known.has(x.id) && x.buyer_email.startsWith(`crash-${SEED}-${round}-`)).length, burst_orders: burstOrders.length,
        restart_ms: restartedAt - killedAt, idle_expiry_after_restart: idleExpiresAfterRestart,
        expired_s_after_expiry: Math.round((expiredAt - lastExpiry) / 100) / 10, listed: listed.total,
      });
      assert.ok(idleExpiresAfterRestart, 'the idle orders were still open at the restart (their alarms were set before the kill)');
    }

    // The remaining stock: exactly what is left can be bought, then it is out of stock; paid,
    // the keys delivered are the whole list, each once.
    const left = KEYS.length - completed.size;
    const final = await Promise.all(Array.from({ length: left + 1 }, (_, i) => steady('POST', '/v1/orders', {
      body: { product_id: PRODUCT, buyer_email: 'rest@example.com', payment_method: 'crypto_btc' },
      headers: { 'CF-Connecting-IP': buyerIp(49), 'Idempotency-Key': `crash-${SEED}-rest-${i}` },
    })));
    const bought = final.filter((r) => r.status === 201).map((r) => r.json.data);
    const refused = final.filter((r) => r.status === 422 && r.json?.error?.code === 'out_of_stock');
    for (const o of bought) {
      const r = await sandboxEvent(call, o, 'pay', { amount: o.crypto_amount, confirmations: 2 }, proxy);
      if (r.json?.data?.status === 'completed') completed.set(o.id, r.json.data.delivered_content);
      else problems.push(`the last stock: ${o.id} paid is ${r.status} ${r.text.slice(0, 200)}`);
    }
    const delivered = [...completed.values()];
    const duplicates = delivered.filter((k, i) => delivered.indexOf(k) !== i);
    const lost = KEYS.filter((k) => !delivered.includes(k));
    figures.left_after_rounds = left;
    figures.bought_again = bought.length;
    figures.out_of_stock_after = refused.length;
    figures.keys_delivered = delivered.length;
    figures.keys_duplicated = duplicates.length;
    figures.keys_lost = lost.length;
    figures.problems = problems.length;
    figures.proxy_503_retried_outside_the_burst = proxy.lost + steady.lost;
    report('crash_restart', figures);
    for (const p of problems) console.log(`# ${p}`);
    assert.deepEqual(problems, [], 'no half-made order, no duplicate, no stuck order');
    assert.equal(bought.length, left, `exactly the ${left} keys left can be bought: ${final.filter((r) => r.status !== 201).map((r) => r.status + ' ' + r.text.slice(0, 120)).join(' | ')}`);
    assert.equal(refused.length, 1, 'then it is out of stock');
    assert.deepEqual(duplicates, [], 'no key delivered twice');
    assert.deepEqual(lost, [], 'no key lost');
  } finally {
    await stopAll(worker);
    rmSync(state, { recursive: true, force: true });
  }
});
