// The README's curl walk-through, run exactly as written against the real worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useWorker } from '../support/worker.mjs';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');
const api = useWorker();

test('the README walk-through creates, reads, pays and completes an order', () => {
  const block = readme.split('<!-- walkthrough -->')[1].match(/```sh\n([\s\S]*?)```/)[1];
  assert.match(block, /^API=http:\/\/127\.0\.0\.1:8787$/m);
  const script = block.replace('API=http://127.0.0.1:8787', `API=${api.base}`);
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-readme-'));
  try {
    const out = execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 5, out);
    assert.match(lines[0], /^bitcoin:tb1q[02-9ac-hj-np-z]+\?amount=0\.00045125$/);
    assert.deepEqual([lines[1], lines[2]], ['pending', 'confirming']);
    assert.match(lines[3], /^TG-[0-9A-F]{4}(-[0-9A-F]{4}){3}$/);
    assert.equal(lines[4], 'completed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
