import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKrl } from '../../../src/broker/server/krl.js';
import { encodeKrl, KRL_MAX_BITMAP_BITS } from '../../../src/broker/server/krl-format.js';

/** The KRL writer against OpenSSH's own reader: `ssh-keygen -Q -l` must read back exactly the serials written. */
const run = promisify(execFile);
let dir: string;
let caPub: string;
let caBlob: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-krl-format-'));
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-ca', '-f', path.join(dir, 'ca')]);
  caPub = path.join(dir, 'ca.pub');
  caBlob = Buffer.from((await readFile(caPub, 'utf8')).split(' ')[1]!, 'base64');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
/** Writes the KRL and returns what ssh-keygen lists in it, as merged [lo, hi] ranges. */
async function readBack(
  serials: readonly bigint[],
): Promise<{ ranges: [bigint, bigint][]; bytes: number; caLine: string }> {
  const file = path.join(dir, `k${++files}.krl`);
  const bytes = encodeKrl({ caKeyBlob: caBlob, serials, version: 7n, generatedAtSeconds: 1_900_000_000n });
  await writeFile(file, bytes);
  const { stdout } = await run('ssh-keygen', ['-Q', '-l', '-f', file], { maxBuffer: 64 * 1024 * 1024 });
  const ranges = [...stdout.matchAll(/^serial: (\d+)(?:-(\d+))?$/gm)].map((m): [bigint, bigint] => [
    BigInt(m[1]!),
    BigInt(m[2] ?? m[1]!),
  ]);
  return { ranges, bytes: bytes.length, caLine: /^# CA key (.*)$/m.exec(stdout)?.[1] ?? '' };
}

function merged(serials: readonly bigint[]): [bigint, bigint][] {
  const sorted = [...new Set(serials)].sort((a, b) => (a < b ? -1 : 1));
  const out: [bigint, bigint][] = [];
  for (const serial of sorted) {
    const last = out.at(-1);
    if (last && serial === last[1] + 1n) last[1] = serial;
    else out.push([serial, serial]);
  }
  return out;
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => BigInt(from + i * step));

describe('the KRL the broker writes is read by OpenSSH exactly as written', () => {
  it('with no serials: a valid, empty KRL', async () => {
    expect((await readBack([])).ranges).toEqual([]);
  });

  it('names the broker CA and lists single serials, short runs and long ranges', async () => {
    const serials = [1n, 3n, 4n, 5n, 9n, ...range(100, 5_000), 2n ** 40n];
    const { ranges, caLine } = await readBack(serials);
    expect(ranges).toEqual(merged(serials));
    const { stdout } = await run('ssh-keygen', ['-l', '-f', caPub]);
    expect(caLine).toBe(`ssh-ed25519 ${stdout.split(' ')[1]}`);
  });

  it('with 20,000 dense serials over a span past 16,384 (every other one), which ssh-keygen -k writes as a bitmap sshd refuses', async () => {
    const serials = range(1, 40_000, 2);
    const { ranges, bytes } = await readBack(serials);
    expect(ranges).toEqual(merged(serials));
    // A bitmap: about one bit per serial of the span, never one window over the limit.
    expect(bytes).toBeLessThan(40_000 / 8 + 100 * Math.ceil(40_000 / KRL_MAX_BITMAP_BITS));
  });

  it('with 10,000 random serials among 30,000, and with a sparse 10,000 among 10 million', async () => {
    const random = seeded(42);
    const dense = range(1, 30_000).filter(() => random() < 1 / 3);
    expect((await readBack(dense)).ranges).toEqual(merged(dense));
    const sparse = range(1, 10_000_000, 1_000);
    expect((await readBack(sparse)).ranges).toEqual(merged(sparse));
  });

  it('with windows that end exactly at the bitmap limit and one past it', async () => {
    const limit = KRL_MAX_BITMAP_BITS;
    const serials = [
      ...range(1, limit, 2),
      BigInt(limit),
      BigInt(limit + 1),
      BigInt(2 * limit + 1),
      ...range(2 * limit + 3, 3 * limit, 3),
    ];
    expect((await readBack(serials)).ranges).toEqual(merged(serials));
  });
});

describe('the first KRL a broker writes', () => {
  it('is read back by ssh-keygen before it replaces the file sshd reads; one it cannot read is never installed', async () => {
    const file = path.join(dir, 'installed.krl');
    await writeFile(file, 'the KRL sshd reads now');
    const calls: string[][] = [];
    const refusing = createKrl({
      path: file,
      caPublicKeyPath: caPub,
      now: Date.now,
      sshKeygen: (args) => (calls.push([...args]), Promise.reject(new Error('Invalid KRL file'))),
    });
    await expect(refusing.write(['1'])).rejects.toThrow('Invalid KRL file');
    expect(await readFile(file, 'utf8')).toBe('the KRL sshd reads now');
    expect(calls[0]?.slice(0, 2)).toEqual(['-Q', '-f']);
    expect((await readdir(dir)).filter((name) => name.startsWith('.installed.krl.'))).toEqual([]);
  });
});
