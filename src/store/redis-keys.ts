import type { AccessRequest } from '../domain/access-request.js';
import type { RequestStatus } from '../domain/request-status.js';

/** Every key of the Redis store, under JUMPGATE_PREFIX. One place, so scripts and readers agree. */
export function redisKeys(prefix: string) {
  return {
    /**
     * Hash: v (version), s (status), j (request JSON), a (the seqs of its audit records,
     * comma-separated), m (approval message ref, metadata).
     */
    request: (id: string) => `${prefix}:req:${id}`,
    /** Sorted set of the requests in a status, scored by `indexScore`. */
    status: (status: RequestStatus) => `${prefix}:idx:${status}`,
    /** Sorted set: a person's requests by creation time. */
    user: (userId: string) => `${prefix}:user:${userId}`,
    sshKey: (userId: string) => `${prefix}:sshkey:${userId}`,
    /** Sorted set: a person's breakglass requests by creation time (the max_per_day window). */
    breakglassUses: (userId: string) => `${prefix}:breakglass:${userId}`,
    /** The person's current breakglass request on a target. */
    breakglassHold: (userId: string, target: string) => `${prefix}:breakglass:${userId}:${target}`,
    /** Sealed audit records, seq n at index n - 1 - cut (retention's cut, in the head; 0 before any). */
    audit: `${prefix}:audit`,
    /**
     * Hash: seq and hash of the last sealed record; cut and cutHash once retention removed
     * records 1..cut from the list (they are in the archive).
     */
    auditHead: `${prefix}:audit:head`,
    /** Audit entries committed but not sealed yet, in seq order after the head. */
    auditPending: `${prefix}:audit:pending`,
    /** Which process seals now (a short lease). */
    auditSealer: `${prefix}:audit:sealer`,
    /**
     * The seqs of audit records about a request id that has no request hash (e.g. a grant found
     * only at the broker); earlier versions kept every request's seqs here.
     */
    auditOf: (requestId: string) => `${prefix}:audit:req:${requestId}`,
    claim: (claimKey: string) => `${prefix}:claim:${claimKey}`,
    /** Hash: h (hash of the workflow files in force), j (their summary, domain/policy-change.ts). */
    policyInForce: `${prefix}:policy`,
    /** Hash: target name → its retirement JSON. */
    retirements: `${prefix}:retired`,
    /** String (epoch ms): the person was offboarded. */
    offboarded: (userId: string) => `${prefix}:offboarded:${userId}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/**
 * The score of a request in its status index: what the sweeps ask of that status. Active grants
 * by notAfter (due revocations first), pending requests by creation (timeouts count from it), and
 * everything else by its last change.
 */
export function indexScore(request: AccessRequest): number {
  if (request.status === 'active' && request.grant) return request.grant.notAfter;
  if (request.status === 'pending') return request.createdAt;
  return request.updatedAt;
}
