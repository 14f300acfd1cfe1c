import { afterAll, describe, expect, it } from 'vitest';
import type { AuditType } from '../../../src/domain/audit-entry.js';
import type { RequestStatus } from '../../../src/domain/request-status.js';
import { NO_TELEMETRY } from '../../../src/service/ports/telemetry.js';
import { countOutcomes } from '../../../src/service/support/count-outcomes.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { accessRequest, auditEntry } from '../../support/builders.js';
import { testRedis } from '../../support/redis.js';

/** Requests by outcome are counted once per request, at the change into its final status. */
const conn = testRedis('outcomes');
const ended: RequestStatus[] = [];
const store = countOutcomes(
  createRedisStore({ redis: conn.redis, prefix: conn.prefix, now: () => 1_800_000_000_000 }),
  {
    ...NO_TELEMETRY,
    requestEnded: (outcome) => ended.push(outcome),
  },
);
afterAll(async () => {
  await store.close();
  await conn.close();
});

describe('countOutcomes', () => {
  it('counts the ending once: not the steps before it, a later change of the ended request, or a lost write', async () => {
    const request = accessRequest({ kind: 'breakglass' });
    const entry = (type: AuditType) => auditEntry({ type, requestId: request.id });
    await store.create(request, entry('requested'));
    await store.update({ ...request, status: 'approved' }, 1, entry('breakglass'));
    await store.update({ ...request, status: 'active' }, 2, entry('granted'));
    expect(ended).toEqual([]);
    await store.update({ ...request, status: 'expired' }, 3, entry('expired'));
    // The review of an expired breakglass changes the ended request: no second ending.
    await store.update({ ...request, status: 'expired', reason: 'reviewed' }, 4, entry('review_done'));
    // A write that loses the compare-and-set writes nothing and counts nothing.
    expect(await store.update({ ...request, status: 'revoked' }, 1, entry('revoked'))).toBeUndefined();
    expect(ended).toEqual(['expired']);

    const denied = accessRequest();
    await store.create(denied, auditEntry({ requestId: denied.id }));
    await store.update({ ...denied, status: 'denied' }, 1, auditEntry({ type: 'denied', requestId: denied.id }));
    expect(ended).toEqual(['expired', 'denied']);
  });
});
