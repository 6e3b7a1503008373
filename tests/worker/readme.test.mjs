// The README's curl walk-through, run exactly as written against the real worker: on the
// sandbox, and in front of each upstream provider's stand-in, where its two payment steps go to
// the provider (which then tells the worker) instead of the sandbox.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorker } from '../support/worker.mjs';
import { startUpstream, upstreamVars, PROVIDERS, HOSTED } from '../support/upstream.mjs';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');
const block = readme.split('<!-- walkthrough -->')[1].match(/```sh\n([\s\S]*?)```/)[1];

// Asynchronous: the provider's stand-in answers from this same process meanwhile.
async function walk(script) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-readme-'));
  try {
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return stdout.trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('sandbox', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => worker?.stop());

  test('the README walk-through creates, reads, pays and completes an order', async () => {
    assert.match(block, /^API=http:\/\/127\.0\.0\.1:8787$/m);
    const lines = await walk(block.replace('API=http://127.0.0.1:8787', `API=${worker.base}`));
    assert.equal(lines.length, 5, lines.join('\n'));
    assert.match(lines[0], /^bitcoin:tb1q[02-9ac-hj-np-z]+\?amount=0\.00045125$/);
    assert.deepEqual([lines[1], lines[2]], ['pending', 'confirming']);
    assert.match(lines[3], /^TG-[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
    assert.equal(lines[4], 'completed');
  });
});

for (const provider of PROVIDERS) {
  describe(provider, () => {
    const target = { base: null };
    let fake, worker;
    before(async () => {
      fake = await startUpstream(provider, { worker: () => target.base });
      worker = await startWorker(upstreamVars(fake, { UPSTREAM_REFRESH_SECONDS: '0' }));
      target.base = worker.base;
    });
    after(async () => {
      await worker?.stop();
      await fake?.close();
    });

    test(`the README walk-through, paid through ${provider}`, async () => {
      const sandboxSteps = /\$API\/v1\/sandbox\/orders\//g;
      assert.equal(block.match(sandboxSteps).length, 2);
      const script = block
        .replace('API=http://127.0.0.1:8787', `API=${worker.base}`)
        .replace(sandboxSteps, `${fake.base}/_control/`);
      const lines = await walk(script);
      assert.equal(lines.length, 5, lines.join('\n'));
      const up = [...fake.orders.values()].at(-1);
      if (HOSTED.has(provider)) assert.equal(lines[0], 'None');
      else assert.equal(lines[0], `bitcoin:${up.address}?amount=${up.amount.replace(/0+$/, '')}`);
      assert.deepEqual([lines[1], lines[2]], ['pending', 'confirming']);
      if (provider === 'coingate') assert.match(lines[3], /^TG-[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
      else assert.equal(lines[3], up.deliverable);
      assert.equal(lines[4], 'completed');
    });
  });
}
