import type { Logger } from 'pino';
import type { GrantStore, StoredGrant } from './grant-store.js';
import { BrokerHttpError } from './http-error.js';
import type { RevocationList } from './revocation-list.js';
import type { SessionTerminator } from './session-terminator.js';

export interface GrantRevokerDeps {
  readonly store: GrantStore;
  readonly revocations: RevocationList;
  readonly now: () => number;
  readonly logger: Logger;
  readonly sessions?: SessionTerminator;
}

/**
 * DELETE /v1/grants/{id}. The KRL naming the serial is in place BEFORE the grant is saved as
 * revoked: if the broker dies in between, the grant still reads as active and the caller's
 * retry revokes it again, instead of a "revoked" grant whose serial sshd never learnt.
 * Revocations arriving together share one KRL write (revocation-list.ts) and one journal write
 * of their records (the store's group commit); the same id revoked twice at once is one
 * revocation. Live sessions are ended afterwards, on every call (a repeat
 * retries a failed termination).
 */
export function createGrantRevoker(deps: GrantRevokerDeps): (id: string) => Promise<StoredGrant> {
  const inFlight = new Map<string, Promise<StoredGrant>>();

  async function revoke(current: StoredGrant): Promise<StoredGrant> {
    await deps.revocations.add({ serial: current.serial, notAfterMs: Date.parse(current.notAfter) });
    const revoked = { ...current, revokedAt: new Date(deps.now()).toISOString() };
    await deps.store.save(revoked);
    deps.logger.info({ grantId: revoked.id, serial: revoked.serial }, 'grant revoked; serial added to the KRL');
    return revoked;
  }

  function revokeOnce(id: string): Promise<StoredGrant> {
    const pending = inFlight.get(id);
    if (pending) return pending;
    const current = deps.store.get(id);
    if (!current) return Promise.reject(new BrokerHttpError(404, 'not_found', `the broker has no grant ${id}`));
    if (current.revokedAt !== undefined) return Promise.resolve(current);
    const revoking = revoke(current).finally(() => inFlight.delete(id));
    inFlight.set(id, revoking);
    return revoking;
  }

  return async (id) => {
    const grant = await revokeOnce(id);
    await terminateSessions(deps, grant);
    return grant;
  };
}

/** The certificate is already refused by sshd, so a failure here is logged, never returned. */
async function terminateSessions(deps: GrantRevokerDeps, grant: StoredGrant): Promise<void> {
  if (!deps.sessions) return;
  try {
    const ended = await deps.sessions.terminate({ id: grant.id, serial: grant.serial });
    if (ended > 0)
      deps.logger.info({ grantId: grant.id, sessions: ended }, 'ended the live sessions of a revoked grant');
  } catch (error) {
    deps.logger.error({ grantId: grant.id, err: error }, 'could not end the live sessions of a revoked grant');
  }
}
