import { JumpgateError } from './errors.js';
import type { RequestStatus } from './request-status.js';

/**
 * Approve, Deny and Cancel only mean something while a request is pending. Buttons stay on old
 * Slack messages, so a late click is normal; the person who made it is told, in words, what
 * already happened instead of seeing a state-machine name.
 */
const IN_WORDS: Readonly<Record<RequestStatus, string>> = {
  pending: 'this request is still pending',
  approved: 'this request is already approved',
  active: 'this request is already approved and its access is active',
  expired: 'this request was approved and its access has expired',
  revoked: 'this request was approved and its access was revoked',
  denied: 'this request was already denied',
  cancelled: 'this request was cancelled by its requester',
  timed_out: 'this request has timed out',
  failed: 'this request was approved but its access could not be granted',
};

/** The status of a request as a sentence a person reads, e.g. `this request has timed out`. */
export function requestStatusInWords(status: RequestStatus): string {
  return IN_WORDS[status];
}

/**
 * Throws `request_decided` unless the request is pending; the message says what happened to it
 * and details carry the `status`.
 */
export function assertPending(status: RequestStatus): void {
  if (status !== 'pending') {
    throw new JumpgateError('request_decided', IN_WORDS[status], { details: { status } });
  }
}
