// The benchmark's yardstick: the least a worker can do. `/health` answers a constant JSON, and
// `/object` reads one stored JSON value from a Durable Object (what a buyer's poll costs at the
// least). Tollgate's figures are reported against these, measured in the same run.
const VALUE = JSON.stringify({ data: { id: 'ord_0123456789abcdef0123456789abcdef', status: 'pending', total_amount: '29.99', currency: 'USD' } });

export class Value {
  constructor(state) {
    this.state = state;
  }

  async fetch() {
    let value = await this.state.storage.get('value');
    if (value === undefined) {
      value = VALUE;
      await this.state.storage.put('value', value);
    }
    return new Response(value, { headers: { 'Content-Type': 'application/json' } });
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/health') return Response.json({ status: 'ok' });
    // `?n=<name>` reads another object, for measures of many objects (tests/stress/objects.mjs).
    if (pathname === '/object') {
      const name = new URL(request.url).searchParams.get('n') ?? 'one';
      return env.VALUE.get(env.VALUE.idFromName(name)).fetch(request);
    }
    return new Response('not found', { status: 404 });
  },
};
