import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditRecord } from '../../../src/service/ports/audit.js';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { sshKey, startBot } from './bot-harness.js';

const WORKFLOW = `
name: production
targets:
  - name: prod-db
    hosts: [db-1.internal]
    principals: [dbadmin]
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD] }
  max_duration: 1h
  require_reason: false
`;

let bot: Awaited<ReturnType<typeof startBot>>;
const redis = new Redis(inject('redisUrl'));
beforeAll(async () => {
  bot = await startBot({
    label: 'restarts',
    workflows: { production: WORKFLOW },
    users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }],
  });
  await (await bot.command('U0ALICE', `key ${await sshKey(bot.dir, 'alice')}`)).reply();
});
afterAll(async () => {
  await bot.stop();
  await redis.quit();
});

async function grant(duration: string): Promise<string> {
  const id = /req_[a-z0-9]+/.exec(await (await bot.command('U0ALICE', `request prod-db ${duration}`)).reply())![0];
  await bot.slack.waitFor(
    'chat.postMessage',
    (call) => call.args.channel === 'C0APPROVALS' && JSON.stringify(call.args).includes(id),
  );
  await (await bot.click('U0LEAD', 'jump_approve', id)).reply();
  await bot.slack.waitFor(
    'chat.postMessage',
    (call) => call.args.channel === 'U0ALICE' && JSON.stringify(call.args).includes('cert-v01'),
  );
  return id;
}

/** The chain in Redis (both replicas write it), read as `npm run audit` reads it, verified on every read. */
async function auditOf(id: string): Promise<AuditRecord[]> {
  const all = await createRedisStore({ redis, prefix: bot.prefix, now: Date.now }).range(1);
  expect(verifyChain(all)).toBeUndefined();
  return all.filter((record) => record.requestId === id);
}

async function waitForExpiry(id: string, deadlineMs: number): Promise<AuditRecord> {
  while (Date.now() < deadlineMs) {
    const expired = (await auditOf(id)).find((record) => record.type === 'expired');
    if (expired) return expired;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${id} was not revoked in time`);
}

describe('invariant 1: no grant outlives its notAfter', () => {
  it('a grant is revoked on time although the bot restarted while it was active', async () => {
    // Real delays: a 4 s grant whose revocation job was scheduled by the bot before the restart.
    const id = await grant('4s');
    await bot.restart();
    const expired = await waitForExpiry(id, Date.now() + 15_000);
    const lag = (expired.detail as { lagMs: number }).lagMs;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(3_000);
  }, 30_000);

  it('with a second replica on the same Redis, the grant is revoked once, on time', async () => {
    await bot.addReplica();
    const id = await grant('3s');
    const expired = await waitForExpiry(id, Date.now() + 15_000);
    expect((expired.detail as { lagMs: number }).lagMs).toBeLessThan(3_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // give a duplicate revocation time to show up
    expect((await auditOf(id)).filter((record) => record.type === 'expired' || record.type === 'revoked')).toHaveLength(
      1,
    );
  }, 30_000);
});
