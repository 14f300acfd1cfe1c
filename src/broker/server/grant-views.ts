import type { StoredGrant } from './grant-store.js';

/** The JSON bodies of the grant routes (docs/contracts/broker-api.md). */

export function grantStatus(grant: StoredGrant, nowMs: number): 'active' | 'revoked' | 'expired' {
  if (grant.revokedAt !== undefined) return 'revoked';
  return Date.parse(grant.notAfter) <= nowMs ? 'expired' : 'active';
}

/** 201 (first issue) / 200 (the same grant again): the body is identical while the state is. */
export function issuedView(grant: StoredGrant, nowMs: number) {
  return {
    id: grant.id,
    status: grantStatus(grant, nowMs),
    notBefore: grant.notBefore,
    notAfter: grant.notAfter,
    credential: {
      type: 'ssh-certificate' as const,
      certificate: grant.certificate,
      serial: grant.serial,
      principals: grant.request.target.principals,
    },
  };
}

export function revokedView(grant: StoredGrant) {
  return { id: grant.id, status: 'revoked' as const, revokedAt: grant.revokedAt };
}

/** For reconciliation: what the broker still considers live. */
export function activeView(grants: readonly StoredGrant[], nowMs: number) {
  return {
    grants: grants
      .filter((grant) => grantStatus(grant, nowMs) === 'active')
      .sort((a, b) => a.notAfter.localeCompare(b.notAfter))
      .map((grant) => ({
        id: grant.id,
        requestId: grant.request.requestId,
        notAfter: grant.notAfter,
        serial: grant.serial,
        principals: grant.request.target.principals,
        kind: grant.request.kind,
      })),
  };
}
