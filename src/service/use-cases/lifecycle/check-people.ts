import { randomUUID } from 'node:crypto';
import type { LifecycleDeps } from '../../deps.js';
import type { createOffboardPerson } from './offboard-person.js';

/**
 * The periodic check, in case a `user_change` event was missed (the bot was down, Slack did not
 * deliver it): everyone holding a grant or a pending or approved request is looked up in the
 * directory, and those deactivated are offboarded. A lookup that fails decides nothing (the next
 * check asks again). With `leaseMs`, only the replica that claims the period checks (the others
 * return at once). Returns the people offboarded by this check.
 */
export function createCheckPeople(
  deps: Pick<LifecycleDeps, 'store' | 'directory' | 'logger'>,
  offboardPerson: ReturnType<typeof createOffboardPerson>,
) {
  return async function checkPeople(input: { readonly leaseMs?: number } = {}): Promise<string[]> {
    // One replica looks people up per period: each lookup is a Slack call, rate-limited per workspace.
    if (input.leaseMs !== undefined) {
      const token = randomUUID();
      if ((await deps.store.claim('people-check', token, input.leaseMs)) !== token) return [];
    }
    const ids = [
      ...(await deps.store.idsByStatus('pending')),
      ...(await deps.store.idsByStatus('approved')),
      ...(await deps.store.idsByStatus('active')),
    ];
    const people = [...new Set((await deps.store.getMany(ids)).map((request) => request.requester))];
    const left: string[] = [];
    for (const userId of people) {
      const user = await deps.directory.user(userId).catch((error: unknown) => {
        deps.logger.warn({ err: error, userId }, 'could not look the person up; the next check asks again');
        return undefined;
      });
      if (!user?.deleted) continue;
      await offboardPerson({ userId, source: 'periodic_check' });
      left.push(userId);
    }
    return left;
  };
}
