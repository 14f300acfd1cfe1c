import type { Logger } from 'pino';
import { BrokerHttpError } from './http-error.js';
import type { GrantStore, StoredGrant } from './grant-store.js';
import type { Krl } from './krl.js';
import type { Mutex } from './mutex.js';
import type { SessionTerminator } from './session-terminator.js';

export interface GrantRevokerDeps {
  readonly store: GrantStore;
  readonly krl: Krl;
  readonly mutex: Mutex;
  readonly now: () => number;
  readonly logger: Logger;
  readonly sessions?: SessionTerminator;
}

/**
 * DELETE /v1/grants/{id}. The KRL naming the serial is written BEFORE the grant is saved as
 * revoked: if the broker dies in between, the grant still reads as active and the caller's
 * retry revokes it again, instead of a "revoked" grant whose serial sshd never learnt.
 * Live sessions are ended afterwards, on every call (a repeat retries a failed termination).
 */
export function createGrantRevoker(deps: GrantRevokerDeps): (id: string) => Promise<StoredGrant> {
  return async (id) => {
    const grant = await deps.mutex.run(async () => {
      const current = deps.store.get(id);
      if (!current) throw new BrokerHttpError(404, 'not_found', `the broker has no grant ${id}`);
      if (current.revokedAt !== undefined) return current;
      await deps.krl.write([...deps.store.revokedSerials(), current.serial]);
      const revoked = { ...current, revokedAt: new Date(deps.now()).toISOString() };
      await deps.store.save(revoked);
      deps.logger.info({ grantId: id, serial: revoked.serial }, 'grant revoked; serial added to the KRL');
      return revoked;
    });
    await terminateSessions(deps, grant);
    return grant;
  };
}

/** The certificate is already refused by sshd, so a failure here is logged, never returned. */
async function terminateSessions(deps: GrantRevokerDeps, grant: StoredGrant): Promise<void> {
  if (!deps.sessions) return;
  try {
    const ended = await deps.sessions.terminate({ id: grant.id, serial: grant.serial });
    if (ended > 0) deps.logger.info({ grantId: grant.id, sessions: ended }, 'ended the live sessions of a revoked grant');
  } catch (error) {
    deps.logger.error({ grantId: grant.id, err: error }, 'could not end the live sessions of a revoked grant');
  }
}
