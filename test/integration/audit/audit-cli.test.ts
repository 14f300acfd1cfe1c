import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/service/ports/audit.js';
import { createAuditFileSink, lastSeqInFile } from '../../../src/store/audit-file.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { accessRequest, auditEntry } from '../../support/builders.js';
import { testRedis } from '../../support/redis.js';

const run = promisify(execFile);
const conn = testRedis('audit-cli');
const store = createRedisStore({ redis: conn.redis, prefix: conn.prefix, now: () => 1_800_000_000_000 });
let dir: string;

async function audit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node_modules/.bin/tsx', ['src/audit-cli.ts', ...args], {
      env: {
        ...process.env,
        REDIS_URL: conn.url,
        JUMPGATE_PREFIX: conn.prefix,
        SLACK_BOT_TOKEN: '',
        SLACK_APP_TOKEN: '',
        SLACK_SIGNING_SECRET: '',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-audit-'));
  for (let i = 0; i < 5; i += 1) {
    const request = accessRequest();
    await store.create(request, auditEntry({ requestId: request.id, detail: { reason: `case ${i}` } }));
  }
});
afterAll(async () => {
  await conn.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run audit', () => {
  it('verify reports an intact chain with its length and head', async () => {
    const result = await audit('verify');
    const head = (await store.tail(1))[0]!;
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`audit chain OK: 5 records, head ${head.hash}`);
  });

  it('tail prints the newest records as JSON lines', async () => {
    const result = await audit('tail', '2');
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(lines.map((r) => r.seq)).toEqual([4, 5]);
  });

  it('an unknown command prints the usage and exits 2', async () => {
    const result = await audit('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'usage: npm run audit -- verify [--archive <audit.jsonl>] | verify --file <audit.jsonl> | tail [count]',
    );
  });

  it('the file copy catches up in order and verifies; an edited line is found', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const errors: unknown[] = [];
    const sink = createAuditFileSink({ file, reader: store, onError: (e) => errors.push(e) });
    await Promise.all([sink.sync(), sink.sync()]);
    expect(errors).toEqual([]);
    expect(await lastSeqInFile(file)).toBe(5);
    expect((await audit('verify', '--file', file)).code).toBe(0);

    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    lines[2] = lines[2]!.replace('case 2', 'case 9');
    await writeFile(file, `${lines.join('\n')}\n`);
    const result = await audit('verify', '--file', file);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('audit chain BROKEN at seq 3: hash does not match the record (it was changed)');
  });

  it('verify exits 1 naming the first broken record when Redis was tampered with', async () => {
    const third = JSON.parse((await conn.redis.lindex(`${conn.prefix}:audit`, 2))!) as AuditRecord;
    await conn.redis.lset(`${conn.prefix}:audit`, 2, JSON.stringify({ ...third, actor: 'U0MALLORY' }));
    const result = await audit('verify');
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('audit chain BROKEN at seq 3: hash does not match the record (it was changed)');
  });
});
