import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJumpgateError } from '../../src/domain/errors.js';
import { serviceHarness } from '../integration/service/service-harness.js';
import { HOUR, policy, workflow } from '../support/policy-builders.js';

const POLICY = policy(
  workflow({ name: 'capped', targets: ['capped-db', 'capped-web'], breakglass: { maxPerDay: 3, onePerTarget: false } }),
  workflow({ name: 'single', targets: ['single-db'], breakglass: { onePerTarget: true, maxDuration: HOUR } }),
);

let h: Awaited<ReturnType<typeof serviceHarness>>;
beforeAll(async () => {
  h = await serviceHarness('bg-limits', POLICY);
  await h.service.registerKey({ userId: 'U0ALICE', text: h.alicePublicKey });
});
afterAll(() => h.close());

/** Ten confirmations of ten different breakglass prompts, all at the same moment. */
function confirmTen(target: string) {
  return Promise.allSettled(
    Array.from({ length: 10 }, (_, i) =>
      h.service.breakglass({
        requester: 'U0ALICE',
        target,
        reason: `outage ${i}`,
        confirmation: `${target}-confirmation-${i}`,
      }),
    ),
  );
}

describe('breakglass limits under concurrent confirmations', () => {
  it('ten concurrent confirmations against max_per_day 3 grant exactly three certificates', async () => {
    const results = await confirmTen('capped-db');
    const granted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(granted).toHaveLength(3);
    expect(refused).toHaveLength(7);
    expect(refused.every((error) => isJumpgateError(error) && error.code === 'breakglass_limit')).toBe(true);
    const active = (await h.store.forUser('U0ALICE', 50)).filter(
      (r) => r.kind === 'breakglass' && r.status === 'active',
    );
    expect(active).toHaveLength(3);
    // The day's allowance is spent on every target of the workflow.
    const another = await h.service
      .breakglass({ requester: 'U0ALICE', target: 'capped-web', reason: 'one more' })
      .catch((error: unknown) => error);
    expect(isJumpgateError(another) && another.code).toBe('breakglass_limit');
  });

  it('ten concurrent confirmations on one target grant one breakglass while it is held', async () => {
    const results = await confirmTen('single-db');
    const granted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.request] : []));
    expect(granted).toHaveLength(1);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refused.every((error) => isJumpgateError(error) && error.code === 'breakglass_active')).toBe(true);
    // Once it ends, the person may take another.
    await h.service.revokeGrant({ userId: 'U0ALICE', grantId: granted[0]!.grant!.id });
    const next = await h.service.breakglass({ requester: 'U0ALICE', target: 'single-db', reason: 'again' });
    expect(next.request.status).toBe('active');
  });
});
