// A seller's webhook endpoint on loopback, for the tests of the seller's webhooks.
import { createServer } from 'node:http';

/**
 * A seller's endpoint on loopback. `answer(n, delivery)` gives the status of the n-th request
 * (from 1); every request is recorded with its raw body, signature and time.
 */
export async function startReceiver(answer = () => 200, port = 0) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c)).on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery = { body, json: JSON.parse(body), signature: req.headers['tollgate-signature'], at: Date.now() };
      received.push(delivery);
      const outcome = await answer(received.length, delivery);
      delivery.status = outcome;
      res.writeHead(outcome).end();
    });
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    port: server.address().port,
    received,
    accepted: () => received.filter((d) => d.status >= 200 && d.status < 300),
    stop: () => new Promise((r) => server.close(r)),
  };
}
