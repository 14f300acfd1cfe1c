import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  isLive,
  REQUEST_STATUSES,
  type RequestStatus,
} from '../../../src/domain/request-status.js';
import { thrown } from './thrown.js';

// Written out from the life of a request as documented, not read from the implementation.
const EDGES: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  pending: ['approved', 'denied', 'cancelled', 'timed_out'],
  approved: ['active', 'failed'],
  active: ['expired', 'revoked'],
  expired: [],
  revoked: [],
  denied: [],
  cancelled: [],
  timed_out: [],
  failed: ['approved'],
};

const ALL_PAIRS = REQUEST_STATUSES.flatMap((from) => REQUEST_STATUSES.map((to) => [from, to] as const));
const LEGAL = ALL_PAIRS.filter(([from, to]) => EDGES[from].includes(to));
const ILLEGAL = ALL_PAIRS.filter(([from, to]) => !EDGES[from].includes(to));

describe('request state machine', () => {
  it('knows exactly the nine statuses of the design', () => {
    expect([...REQUEST_STATUSES].sort()).toEqual(Object.keys(EDGES).sort());
    expect(ALL_PAIRS).toHaveLength(81);
    expect(LEGAL).toHaveLength(9);
  });

  it.each(LEGAL)('lets a %s request become %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(ILLEGAL)('refuses to turn a %s request into %s with illegal_transition', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const error = thrown(() => assertTransition(from, to));
    expect(error.code).toBe('illegal_transition');
    const allowed = EDGES[from];
    expect(error.message).toBe(
      `a request that is ${from} cannot become ${to}` +
        (allowed.length > 0 ? ` (it can become ${allowed.join(', ')})` : ` (${from} is final)`),
    );
    expect(error.details).toEqual({ from, to });
  });

  it('never lets a request stay where it is (no self-loops)', () => {
    for (const status of REQUEST_STATUSES) expect(canTransition(status, status)).toBe(false);
  });

  it('never grants a denied, timed-out or cancelled request (invariant 3)', () => {
    for (const from of ['denied', 'timed_out', 'cancelled'] as const) {
      for (const to of ['approved', 'active'] as const) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('counts only approved and active requests as holding access', () => {
    expect(REQUEST_STATUSES.filter(isLive)).toEqual(['approved', 'active']);
  });

  it('gives the exact message a person or log reads for a final status', () => {
    expect(thrown(() => assertTransition('denied', 'approved')).message).toBe(
      'a request that is denied cannot become approved (denied is final)',
    );
    expect(thrown(() => assertTransition('pending', 'active')).message).toBe(
      'a request that is pending cannot become active (it can become approved, denied, cancelled, timed_out)',
    );
  });
});
