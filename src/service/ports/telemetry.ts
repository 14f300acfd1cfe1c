import type { RequestKind } from '../../domain/request-kind.js';
import type { RequestStatus } from '../../domain/request-status.js';

/**
 * The service-level facts an operator measures (Prometheus in production: src/http/sli-metrics.ts).
 * Each call is a counter or histogram step: cheap enough for hundreds a second, and never throws.
 * Plain functions (no `this`), so each can be handed on by itself.
 */
export interface Telemetry {
  /** A grant was recorded, `ms` after its request was approved (at once, for breakglass and auto-approval). */
  readonly grantIssued: (kind: RequestKind, ms: number) => void;
  /** A request reached its final status (counted once per request). */
  readonly requestEnded: (outcome: RequestStatus) => void;
  /** A grant was revoked at its end, `lagMs` after its notAfter. */
  readonly revoked: (lagMs: number) => void;
  /** A job's attempt failed (it may be retried). */
  readonly jobFailed: (queue: string) => void;
}

export const NO_TELEMETRY: Telemetry = {
  grantIssued: () => undefined,
  requestEnded: () => undefined,
  revoked: () => undefined,
  jobFailed: () => undefined,
};
