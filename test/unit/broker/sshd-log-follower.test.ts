import { appendFile, mkdir, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followLog, type LogFollower } from '../../../src/broker/server/sshd-log-follower.js';

describe('followLog', () => {
  let dir: string;
  let file: string;
  let lines: string[];
  let follower: LogFollower | undefined;

  // The timer is pushed far out: every read in these tests is an explicit drain().
  const follow = (fromStart?: boolean) =>
    (follower = followLog({
      file,
      onLine: (line) => lines.push(line),
      intervalMs: 3_600_000,
      ...(fromStart === undefined ? {} : { fromStart }),
    }));

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-follow-'));
    file = path.join(dir, 'sshd.log');
    lines = [];
  });
  afterEach(async () => {
    await follower?.close();
    follower = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('reads what is already there, then only what was appended', async () => {
    await writeFile(file, 'one\ntwo\n');
    const log = follow();
    await log.drain();
    await appendFile(file, 'three\n');
    await log.drain();
    await log.drain();
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('holds back a line until its end is written', async () => {
    await writeFile(file, 'Accepted publickey for ro');
    const log = follow();
    await log.drain();
    expect(lines).toEqual([]);
    await appendFile(file, 'ot from 127.0.0.1\nnext\n');
    await log.drain();
    expect(lines).toEqual(['Accepted publickey for root from 127.0.0.1', 'next']);
  });

  it('skips the existing lines when asked to start at the end', async () => {
    await writeFile(file, 'old\n');
    const log = follow(false);
    await log.drain();
    await appendFile(file, 'new\n');
    await log.drain();
    expect(lines).toEqual(['new']);
  });

  it('waits for a file that does not exist yet', async () => {
    const log = follow();
    await log.drain();
    await writeFile(file, 'first\n');
    await log.drain();
    expect(lines).toEqual(['first']);
  });

  it('follows the new file after rotation and still reads what was written late to the old one', async () => {
    await writeFile(file, 'a\n');
    const log = follow();
    await log.drain();
    await rename(file, `${file}.1`);
    await writeFile(file, 'c\n');
    // A writer that has not reopened yet finishes into the renamed file.
    await appendFile(`${file}.1`, 'b\n');
    await log.drain();
    await appendFile(`${file}.1`, 'b2\n');
    await appendFile(file, 'd\n');
    await log.drain();
    expect(lines).toEqual(['a', 'b', 'c', 'b2', 'd']);
  });

  it('starts over when the file is truncated in place (copytruncate)', async () => {
    await writeFile(file, 'before one\nbefore two\n');
    const log = follow();
    await log.drain();
    await truncate(file, 0);
    await appendFile(file, 'after\n');
    await log.drain();
    expect(lines).toEqual(['before one', 'before two', 'after']);
  });

  it('reads a log far larger than one read', async () => {
    const many = Array.from({ length: 5_000 }, (_, at) => `line ${at} ${'x'.repeat(40)}`);
    await writeFile(file, many.join('\n') + '\n');
    await follow().drain();
    expect(lines).toEqual(many);
  });

  it('reads on its own timer without being asked', async () => {
    await writeFile(file, 'ticked\n');
    follower = followLog({ file, onLine: (line) => lines.push(line), intervalMs: 10 });
    await expect.poll(() => lines, { timeout: 2_000 }).toEqual(['ticked']);
  });

  it('reports a failing read once, not on every tick', async () => {
    await mkdir(file);
    const errors: unknown[] = [];
    follower = followLog({
      file,
      onLine: (line) => lines.push(line),
      intervalMs: 10,
      onError: (error) => errors.push(error),
    });
    await expect.poll(() => errors.length, { timeout: 2_000 }).toBe(1);
    // Only letting ticks pass can show that they report nothing more: ~10 of them here.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('EISDIR');
  });

  it('reads nothing more after close', async () => {
    await writeFile(file, 'one\n');
    const log = follow();
    await log.drain();
    await log.close();
    await appendFile(file, 'two\n');
    await log.drain();
    expect(lines).toEqual(['one']);
  });
});
