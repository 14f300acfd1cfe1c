import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { verifyTrail } from '../../../src/store/audit-verify.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { accessRequest, auditEntry } from '../../support/builders.js';
import { startBot } from '../slack/bot-harness.js';

/**
 * Retention as the bot runs it: the BullMQ job scheduler, the bot's own AUDIT_LOG_FILE as the
 * archive. Requests finished two days ago are seeded (an injected clock) before the bot starts
 * with RETENTION_DAYS=1; the job removes them, and once the archive is gone the job fails and
 * /metrics counts it.
 */
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
const prefix = `t-retention-job-${randomBytes(4).toString('hex')}`;
const twoDaysAgo = Date.now() - 2 * 86_400_000;
const seeder = createRedisStore({ redis, prefix, now: () => twoDaysAgo });
const old: string[] = [];
let bot: Awaited<ReturnType<typeof startBot>>;

beforeAll(async () => {
  for (let i = 0; i < 20; i += 1) {
    const request = accessRequest({ createdAt: twoDaysAgo, updatedAt: twoDaysAgo });
    old.push(request.id);
    await seeder.create(request, auditEntry({ requestId: request.id }));
    await seeder.update(
      { ...request, status: 'cancelled', updatedAt: twoDaysAgo },
      1,
      auditEntry({ type: 'cancelled', requestId: request.id }),
    );
  }
  await seeder.sealPending();
  bot = await startBot({
    label: 'retention-job',
    workflows: {
      production: `
name: production
targets:
  - name: prod-db
    hosts: [db-1.internal]
    principals: [dbadmin]
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD] }
  max_duration: 1h
`,
    },
    users: [],
    env: { JUMPGATE_PREFIX: prefix, RETENTION_DAYS: '1' },
    tuning: { retentionEveryMs: 1_000 },
  });
}, 30_000);
afterAll(async () => {
  await bot?.stop();
  await seeder.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('the retention job', () => {
  it('removes what is older than RETENTION_DAYS once the bot copied it to AUDIT_LOG_FILE', async () => {
    await vi.waitFor(async () => expect(await seeder.getMany(old)).toEqual([]), { timeout: 15_000, interval: 250 });
    const cut = await seeder.retainedCut();
    expect(cut.seq).toBe(40);
    // The checkpoint reaches the archive too; then archive plus Redis is one chain.
    await vi.waitFor(async () => expect(await verifyTrail(seeder, bot.auditFile)).toMatchObject({ ok: true }), {
      timeout: 10_000,
      interval: 250,
    });
    // After the bot's own first record (policy_changed, written at its start).
    const checkpoint = (await seeder.range(cut.seq + 1)).find((record) => record.type === 'retention_checkpoint');
    expect(checkpoint).toMatchObject({
      type: 'retention_checkpoint',
      actor: 'jumpgate',
      detail: { throughSeq: 40, recordsRemoved: 40, requestsRemoved: 20 },
    });
  }, 30_000);

  it('fails, and /metrics counts it, while the archive is missing', async () => {
    await rm(bot.auditFile);
    const failures = async () => {
      const text = await (await fetch(`${bot.base}/metrics`)).text();
      return Number(/^jumpgate_job_failures_total\{queue="retention"\} (\d+)$/m.exec(text)?.[1]);
    };
    await vi.waitFor(async () => expect(await failures()).toBeGreaterThanOrEqual(1), {
      timeout: 10_000,
      interval: 250,
    });
  }, 20_000);
});
