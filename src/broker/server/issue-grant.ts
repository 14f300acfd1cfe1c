import { BrokerHttpError, badRequest } from './http-error.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { canonicalJson, type GrantRequestBody } from './grant-request.js';
import type { GrantStore, StoredGrant } from './grant-store.js';
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

/**
 * POST /v1/grants. The same id with the same request returns the grant already issued (never a
 * second certificate); the same id with another request is a 409, since silently returning a
 * certificate for a different key or window would be wrong either way.
 */
export function createGrantIssuer(deps: GrantIssuerDeps): (body: GrantRequestBody) => Promise<IssueResult> {
  return (body) =>
    deps.mutex.run(async () => {
      const existing = deps.store.get(body.id);
      if (existing) {
        if (canonicalJson(existing.request) !== canonicalJson(body)) {
          throw new BrokerHttpError(
            409,
            'conflict',
            `grant ${body.id} already exists for a different request (key, target, notAfter, kind or reason differ); a new grant needs a new id`,
          );
        }
        return { created: false, grant: existing };
      }

      const now = deps.now();
      // Certificates count whole seconds; rounding down keeps the grant from outliving notAfter.
      const notAfterMs = Math.floor(Date.parse(body.notAfter) / 1000) * 1000;
      if (notAfterMs <= now) throw badRequest(`notAfter ${body.notAfter} is not in the future`, 'invalid_not_after');
      if (notAfterMs > now + MAX_GRANT_AHEAD_MS) {
        throw badRequest(`notAfter ${body.notAfter} is more than 7 days ahead; grants are at most 7 days long`, 'invalid_not_after');
      }
      const notBeforeMs = Math.floor((now - BACKDATE_MS) / 1000) * 1000;

      const serial = await deps.store.reserveSerial();
      const certificate = await deps.ca.sign({
        publicKey: body.subject.sshPublicKey,
        keyId: body.id,
        principals: body.target.principals,
        serial,
        validFromMs: notBeforeMs,
        validToMs: notAfterMs,
        restricted: body.kind === 'vendor',
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
    });
}
