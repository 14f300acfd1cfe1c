import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../src/domain/errors.js';
import { startLocalRedis } from '../../../src/store/local-redis.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('startLocalRedis', () => {
  it('without a redis-server binary, says in one line how to install it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-no-redis-'));
    dirs.push(dir);
    const error = await startLocalRedis({ dir, persist: false, binary: path.join(dir, 'no-such-redis-server') }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JumpgateError);
    expect((error as JumpgateError).code).toBe('dependency_missing');
    expect((error as JumpgateError).message).toBe(
      'redis-server was not found: install it with "apt-get install redis-server" (Debian/Ubuntu) or "brew install redis" (macOS), or set REDIS_URL',
    );
  });
});
