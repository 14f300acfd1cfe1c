import type { CertificateAuthority } from './certificate-authority.js';
import { certificateKeyId, isVendorGrant } from './certificate-key-id.js';
import { type GrantRequestBody, grantIdentity } from './grant-request.js';
import type { GrantStore, StoredGrant } from './grant-store.js';
import { BrokerHttpError, badRequest } from './http-error.js';
import type { Mutex } from './mutex.js';

/** A grant may end at most this far ahead: a certificate outliving every revocation path stays short. */
export const MAX_GRANT_AHEAD_MS = 7 * 86_400_000;
/** Certificates start this much before issue, so a bastion whose clock lags a little accepts them. */
export const BACKDATE_MS = 60_000;

export interface GrantIssuerDeps {
  readonly store: GrantStore;
  readonly ca: CertificateAuthority;
  readonly mutex: Mutex;
  readonly now: () => number;
}

export interface IssueResult {
  /** False when the grant already existed (an idempotent retry). */
  readonly created: boolean;
  readonly grant: StoredGrant;
}

/** What the issuing mutex hands on: the grant already issued for the id, or a new grant's window and serial. */
type Reserved =
  | { readonly kind: 'existing'; readonly grant: StoredGrant }
  | {
      readonly kind: 'new';
      readonly now: number;
      readonly notBeforeMs: number;
      readonly notAfterMs: number;
      readonly serial: string;
    };

/**
 * POST /v1/grants. The same id with the same grant (grantIdentity: key, subject, target, window,
 * kind, options) returns the grant already issued, never a second certificate; the same id with
 * another grant is a 409, since returning a certificate for a different key or window would be
 * wrong either way. A grant whose notAfter has passed is never issued (410 `grant_expired`): once
 * the broker has pruned an expired grant's record, the same id asked again gets that refusal, not
 * a certificate with a new window.
 */
export function createGrantIssuer(deps: GrantIssuerDeps): (body: GrantRequestBody) => Promise<IssueResult> {
  // One issue per id at a time: a retry arriving while its grant is being written waits for it
  // and then answers from the store, so one id never gets two certificates.
  const issuing = new Map<string, Promise<unknown>>();

  async function issueOnce(body: GrantRequestBody): Promise<IssueResult> {
    // Checks and the serial under the mutex (serials in order, pruning not in between); signing
    // and the durable write outside it, so grants arriving together share one journal write.
    const reserved = await deps.mutex.run(async (): Promise<Reserved> => {
      const existing = deps.store.get(body.id);
      if (existing) {
        if (grantIdentity(existing.request) !== grantIdentity(body)) {
          throw new BrokerHttpError(
            409,
            'conflict',
            `grant ${body.id} already exists for a different request (key, target, notAfter or kind differ); a new grant needs a new id`,
          );
        }
        return { kind: 'existing', grant: existing };
      }
      const now = deps.now();
      // Certificates count whole seconds; rounding down keeps the grant from outliving notAfter.
      const notAfterMs = Math.floor(Date.parse(body.notAfter) / 1000) * 1000;
      if (notAfterMs <= now) {
        throw new BrokerHttpError(
          410,
          'grant_expired',
          `notAfter ${body.notAfter} has passed: the broker does not issue a grant whose window is over (a new grant needs a new id and a future notAfter)`,
        );
      }
      if (notAfterMs > now + MAX_GRANT_AHEAD_MS) {
        throw badRequest(
          `notAfter ${body.notAfter} is more than 7 days ahead; grants are at most 7 days long`,
          'invalid_not_after',
        );
      }
      const notBeforeMs = Math.floor((now - BACKDATE_MS) / 1000) * 1000;
      return { kind: 'new', now, notBeforeMs, notAfterMs, serial: await deps.store.reserveSerial() };
    });
    if (reserved.kind === 'existing') return { created: false, grant: reserved.grant };

    const { now, notBeforeMs, notAfterMs, serial } = reserved;
    const certificate = await deps.ca.sign({
      publicKey: body.subject.sshPublicKey,
      keyId: certificateKeyId(body),
      principals: body.target.principals,
      serial,
      validFromMs: notBeforeMs,
      validToMs: notAfterMs,
      restricted: isVendorGrant(body),
      allowPty: body.options?.allowPty ?? false,
      ...(body.target.sourceAddress ? { sourceAddress: body.target.sourceAddress } : {}),
    });
    const grant: StoredGrant = {
      id: body.id,
      request: body,
      serial,
      certificate,
      notBefore: new Date(notBeforeMs).toISOString(),
      notAfter: new Date(notAfterMs).toISOString(),
      issuedAt: new Date(now).toISOString(),
    };
    await deps.store.save(grant);
    return { created: true, grant };
  }

  return async (body) => {
    for (let pending = issuing.get(body.id); pending; pending = issuing.get(body.id)) {
      await pending.catch(() => undefined);
    }
    const issued = issueOnce(body);
    issuing.set(body.id, issued);
    try {
      return await issued;
    } finally {
      if (issuing.get(body.id) === issued) issuing.delete(body.id);
    }
  };
}
