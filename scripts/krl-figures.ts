/**
 * `npx tsx scripts/krl-figures.ts [serials]`: the broker's KRL at N revoked serials that have not
 * expired (default 10,000, dense like real revocations: every grant is revoked when it ends),
 * written the way the broker writes it. Prints `krl_bytes` and `krl_write_ms` (the last of three
 * writes), then checks with ssh-keygen that OpenSSH reads back every serial.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKrl } from '../src/broker/server/krl.js';
import { createRevocationList } from '../src/broker/server/revocation-list.js';
import { createSshKeygen } from '../src/broker/server/ssh-keygen.js';

const run = promisify(execFile);
const count = Number(process.argv[2] ?? 10_000);
const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-krl-figures-'));
try {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ca', '-f', path.join(dir, 'ca')]);
  const krl = createKrl({
    path: path.join(dir, 'revoked.krl'),
    caPublicKeyPath: path.join(dir, 'ca.pub'),
    sshKeygen: createSshKeygen(),
    now: Date.now,
  });
  const serials: string[] = [];
  for (let serial = 1; serials.length < count; serial++) if (serial % 5 !== 0) serials.push(String(serial));
  const notAfterMs = Date.now() + 3_600_000;
  const list = createRevocationList({ krl, now: Date.now, initial: serials.map((serial) => ({ serial, notAfterMs })) });
  for (let i = 0; i < 3; i++) await list.rewrite();
  const stats = list.stats();
  console.log(`krl_serials ${stats.serials} serials`);
  console.log(`krl_bytes ${stats.bytes} bytes`);
  console.log(`krl_write_ms ${stats.writeMs.toFixed(1)} ms`);
  const { stdout } = await run('ssh-keygen', ['-Q', '-l', '-f', krl.path], { maxBuffer: 64 * 1024 * 1024 });
  const listed = [...stdout.matchAll(/^serial: (\d+)(?:-(\d+))?$/gm)].reduce(
    (sum, m) => sum + Number(m[2] ?? m[1]) - Number(m[1]) + 1,
    0,
  );
  console.log(`# ssh-keygen -Q -l reads ${listed} revoked serials back`);
  if (listed !== stats.serials) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
