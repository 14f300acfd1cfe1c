/**
 * Every failure Jumpgate explains to a person carries one of these codes. The Slack layer maps a
 * code to the ephemeral message a person reads; logs and audit records keep the code and cause.
 */
export type ErrorCode =
  /** A duration string is not of the form 90s, 30m, 2h, 1h30m, 1d. */
  | 'invalid_duration'
  /** A duration is longer than the workflow allows (it is refused, never clamped). */
  | 'duration_over_max'
  /** A duration is shorter than the workflow's minimum. */
  | 'duration_under_min'
  /** A request, grant or approval moved in a way the state machine does not allow. */
  | 'illegal_transition'
  /** No workflow defines the named target. */
  | 'unknown_target'
  /** The target was retired (`retired: true`, or removed from the workflow files): no new requests. */
  | 'target_retired'
  /** The target exists, but the person may not request it. */
  | 'target_not_allowed'
  /** The workflow requires a reason and none was given. */
  | 'reason_required'
  /** The reason is longer than a request takes (MAX_REASON_LENGTH). */
  | 'reason_too_long'
  /** The workflow requires a ticket matching its pattern and none (or a wrong one) was given. */
  | 'ticket_required'
  /** The clicker is not an eligible approver for this request. */
  | 'not_an_approver'
  /** The requester tried to approve their own request and the workflow forbids it. */
  | 'self_approval'
  /** The same approver clicked Approve twice. */
  | 'already_approved'
  /** The request is no longer pending (approved, denied, timed out, cancelled, failed). */
  | 'request_decided'
  /** Only breakglass access is reviewed afterwards, and this request is not one. */
  | 'no_review'
  /** The breakglass was reviewed already (one review settles it). */
  | 'review_done'
  /** The person who used a breakglass tried to review it. */
  | 'self_review'
  /** The person has no registered SSH public key. */
  | 'no_ssh_key'
  /** An SSH public key is malformed or of a type/size we refuse. */
  | 'invalid_ssh_key'
  /** The workflow does not allow breakglass access. */
  | 'breakglass_not_allowed'
  /** The workflow does not allow vendor sessions. */
  | 'vendor_not_allowed'
  /** The person asked for a vendor session on a workflow whose `vendor.sponsors` do not include them. */
  | 'not_a_sponsor'
  /** A vendor's email address is not one (or is too long). */
  | 'invalid_email'
  /** A vendor session's vendor has no name (or one too long). */
  | 'vendor_name_required'
  /** A request, grant or other record does not exist. */
  | 'not_found'
  /** The person may not do this to this record (e.g. revoke someone else's grant). */
  | 'forbidden'
  /** The command or its arguments are not understood. */
  | 'bad_command'
  /** An environment setting is missing or malformed. */
  | 'config_invalid'
  /** A workflow file is invalid. */
  | 'workflow_invalid'
  /** The broker refused a call (4xx). */
  | 'broker_rejected'
  /** The broker could not be reached or failed (5xx, network, timeout) after retries. */
  | 'broker_unavailable'
  /** A dependency Jumpgate needs on this machine is missing (e.g. redis-server, ssh-keygen). */
  | 'dependency_missing'
  /** PagerDuty could not answer (unreachable, timeout, 401, 429, 5xx): never auto-approve then. */
  | 'incidents_unavailable'
  /** A person used breakglass more often than the workflow's max_per_day allows. */
  | 'breakglass_limit'
  /** The same breakglass confirmation was used twice (a double click): it took one breakglass. */
  | 'already_confirmed'
  /** A person asked for breakglass on a target where they hold one already (one_per_target). */
  | 'breakglass_active'
  /** The workflow allows breakglass only during an incident, and the incident check did not pass. */
  | 'incident_required'
  /**
   * An approved request's grant does not match the policy loaded now (a forged or stale record):
   * nothing is issued, the request is failed and the workflow's security channel is alerted.
   */
  | 'grant_policy_mismatch'
  /** The workflow does not let this kind of grant be extended. */
  | 'extend_not_allowed'
  /** An extension would make the whole grant longer than the workflow's extend.max_total. */
  | 'extension_over_max'
  /** An extension of this grant is already waiting for the approvers. */
  | 'extension_pending'
  /** The grant was extended since the button or id was given: it runs under a newer grant id. */
  | 'already_extended'
  /** The grant ends with its incident, and the incident is resolved: it is never extended after. */
  | 'incident_resolved'
  /** A Retry on a request that is not failed, or failed for a reason a new try does not fix. */
  | 'not_retryable'
  /** A Retry after the approvals went stale (older than the workflow's request_timeout): request again. */
  | 'approvals_stale'
  /** A Retry after the grant window fixed at approval has ended: request again. */
  | 'grant_window_over'
  /** Grants were revoked and no bastion has fetched the KRL for over 5 minutes (/readyz). */
  | 'krl_stale'
  /** At start-up: the Redis server may evict keys (its maxmemory-policy is not noeviction), which would lose records. */
  | 'redis_evicts';

export class JumpgateError extends Error {
  override readonly name = 'JumpgateError';
  readonly code: ErrorCode;
  /** Structured facts for the message a person reads (allowed values, limits, …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isJumpgateError(error: unknown, code?: ErrorCode): error is JumpgateError {
  return error instanceof JumpgateError && (code === undefined || error.code === code);
}
