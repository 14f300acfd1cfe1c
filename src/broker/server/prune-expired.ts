import type { Logger } from 'pino';
import type { GrantStore } from './grant-store.js';
import type { Mutex } from './mutex.js';
import { KRL_EXPIRY_MARGIN_MS, type RevocationList } from './revocation-list.js';

/** How often the broker drops what has expired; a minute keeps the KRL and the grant journal near their minimum. */
export const PRUNE_EVERY_MS = 60_000;

export interface PruneResult {
  /** Grant records forgotten (notAfter more than the margin ago); their journal lines go at the next compaction. */
  readonly grants: number;
  /** The KRL was written again without serials whose certificates expired more than the margin ago. */
  readonly krlRewritten: boolean;
}

/**
 * Keeps the broker's cost proportional to the grants that could still be used, not to history:
 * grant records and KRL serials leave once their certificate expired KRL_EXPIRY_MARGIN_MS ago.
 * Pruning runs under the issuing mutex, so a grant cannot be asked for while its record leaves.
 */
export function createExpiredPruner(deps: {
  readonly store: GrantStore;
  readonly revocations: RevocationList;
  readonly mutex: Mutex;
  readonly now: () => number;
  readonly logger: Logger;
}): () => Promise<PruneResult> {
  return async () => {
    const grants = await deps.mutex.run(() => deps.store.prune(deps.now() - KRL_EXPIRY_MARGIN_MS));
    const krlRewritten = deps.revocations.hasExpired();
    if (krlRewritten) await deps.revocations.rewrite();
    if (grants > 0 || krlRewritten) {
      deps.logger.info({ grants, krlRewritten, krlSerials: deps.revocations.stats().serials }, 'pruned what expired');
    }
    return { grants, krlRewritten };
  };
}
