import { type AccessRequest, grantIdFor, windowOf } from '../../../domain/access-request.js';
import { SYSTEM_ACTOR } from '../../../domain/audit-entry.js';
import type { ServiceDeps } from '../../deps.js';
import type { ActiveGrantSummary } from '../../ports/broker.js';
import { requestIdOf } from '../../support/request-id.js';
import { viewOf } from '../../support/request-view.js';
import type { RecoverReport } from './recover.js';

export interface ReconcileReport {
  readonly expired: number;
  readonly timedOut: number;
  readonly granted: number;
  /** Grants the broker held that the bot does not: revoked at the broker. */
  readonly revokedAtBroker: number;
  readonly failures: number;
  /** Pending requests whose approval message had not been posted (Slack was down): posted now. */
  readonly posted: number;
}

/** At most this many of each kind per run; the next run (a minute later) takes the rest. */
const SWEEP_BATCH = 2_000;

const requestIdFor = (grant: ActiveGrantSummary) => grant.requestId || requestIdOf(grant.id);

/**
 * The periodic sweep that makes every invariant hold even when a job was lost, a process
 * crashed between two steps, or a second replica raced this one: due grants are revoked and
 * interrupted grants issued (the quick sweep, which also runs on its own every few seconds), due
 * requests time out, and a grant the broker holds that the bot does not track is revoked at the
 * broker (with a `reconciled` record).
 */
export function createReconcile(
  deps: Pick<ServiceDeps, 'store' | 'broker' | 'notifier' | 'policy' | 'now' | 'logger'>,
  useCases: {
    timeoutRequest(requestId: string): Promise<unknown>;
    escalateRequest(requestId: string): Promise<unknown>;
    /** The quick sweep (recover.ts): due grants revoked, interrupted grants issued. */
    recover(): Promise<RecoverReport>;
  },
) {
  return async function reconcile(): Promise<ReconcileReport> {
    let failures = 0;
    const attempt = async <T>(what: string, id: string, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await run();
      } catch (error) {
        failures += 1;
        deps.logger.warn({ err: error, requestId: id }, `reconciliation could not ${what}`);
        return undefined;
      }
    };
    const now = deps.now();
    let timedOut = 0;

    // Indexed by due time: the sweep reads what is due, not every live grant.
    const recovered = await useCases.recover();
    failures += recovered.failures;
    const { expired, granted } = recovered;
    let posted = 0;
    const pending = await deps.store.dueIds('pending', now, SWEEP_BATCH);
    for (const id of pending) {
      if (await attempt('time out the request', id, () => useCases.timeoutRequest(id))) timedOut += 1;
      else await attempt('escalate the request', id, () => useCases.escalateRequest(id));
    }
    const unposted = (await deps.store.getMany(pending)).filter((r) => r.status === 'pending' && !r.message);
    for (const request of unposted) {
      // A post still queued (Slack down) is queued once: asking again adds nothing.
      const done = await attempt('post the approval message', request.id, async () => {
        const ref = await deps.notifier.postApprovalMessage(viewOf(deps.policy(), request));
        if (ref) await deps.store.setMessage(request.id, ref);
        return true;
      });
      if (done) posted += 1;
    }

    let revokedAtBroker = 0;
    const atBroker = await attempt('list the broker’s grants', '-', () => deps.broker.listActive());
    const grants = atBroker ?? [];
    // Statuses only: thousands of active grants are compared without reading their records.
    const statuses = await deps.store.statusesOf(grants.map(requestIdFor));
    // An extended grant runs under its window's id (grant_x_2, …); a request the broker holds
    // more than one grant for, or a later window of, is read to see which window is current.
    const perRequest = new Map<string, number>();
    for (const grant of grants) perRequest.set(requestIdFor(grant), (perRequest.get(requestIdFor(grant)) ?? 0) + 1);
    const toRead = grants
      .map(requestIdFor)
      .filter((id, i) => (perRequest.get(id) ?? 0) > 1 || grants[i]?.id !== grantIdFor(id));
    const records = new Map<string, AccessRequest>(
      (await deps.store.getMany([...new Set(toRead)])).map((request) => [request.id, request]),
    );
    for (const grant of grants) {
      const requestId = requestIdFor(grant);
      const status = statuses.get(requestId);
      const live = status === 'approved' || status === 'active';
      const record = records.get(requestId);
      if (live && !record && grantIdFor(requestId) === grant.id) continue;
      let why: string | undefined;
      if (live && record) {
        const current = record.grant?.id ?? grantIdFor(requestId);
        if (grant.id === current) continue;
        // A later window than the record's is an extension being issued right now (or one that
        // never landed, which is revoked once the request ends); an earlier one was superseded.
        if (windowOf(grant.id) > windowOf(current)) continue;
        why = `the grant was extended: ${current} superseded it`;
      }
      const request = record ?? (await deps.store.get(requestId));
      const revoked = await attempt('revoke an untracked grant at the broker', requestId, async () => {
        await deps.broker.revoke(grant.id);
        await deps.store.appendAudit({
          type: 'reconciled',
          requestId,
          grantId: grant.id,
          actor: SYSTEM_ACTOR,
          target: request?.target ?? null,
          detail: {
            action: why ? 'revoked_superseded_at_broker' : 'revoked_at_broker',
            why: why ?? (request ? `the request is ${request.status}` : 'no such request'),
            serial: grant.serial,
            notAfter: grant.notAfter,
          },
        });
        return true;
      });
      if (revoked) revokedAtBroker += 1;
    }
    const report = { expired, timedOut, granted, revokedAtBroker, failures, posted };
    if (expired + timedOut + granted + revokedAtBroker + failures + posted > 0)
      deps.logger.info({ ...report }, 'reconciliation repaired state');
    return report;
  };
}
