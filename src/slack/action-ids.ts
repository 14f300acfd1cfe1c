/*
 * The ids Slack sends back when someone clicks a button or submits a modal. The Block Kit
 * builders put them into messages and views; the listeners match on them. They are part of
 * every message already posted, so renaming one orphans the buttons on old messages: add new
 * ids, never change these.
 */

export const ACTION_IDS = {
  /** Approve button on the approval message; its `value` is the request id. */
  approve: 'jump_approve',
  /** Deny button on the approval message (opens the deny modal); its `value` is the request id. */
  deny: 'jump_deny',
  /** Cancel button on the requester's confirmation of a pending request; its `value` is the request id. */
  cancel: 'jump_cancel',
  /** `callback_id` of the deny modal; its `private_metadata` is the request id. */
  denyModal: 'jump_deny_modal',
  /** "Request access" button on App Home: opens the request modal. */
  openRequestModal: 'jump_open_request_modal',
  /** `callback_id` of the request modal (`/jump request` with nothing after it). */
  requestModal: 'jump_request_modal',
  /** "Reviewed: OK" on a breakglass's message (its post-hoc review); its `value` is the request id. */
  reviewOk: 'jump_review_ok',
  /** "Flag" on a breakglass's message: the review found it wrong; its `value` is the request id. */
  reviewFlag: 'jump_review_flag',
  /**
   * "Confirm breakglass" on the ephemeral confirmation of `/jump breakglass`; its `value` is the
   * command's input as JSON (`{target, duration?, reason}`), checked again when clicked.
   */
  breakglassConfirm: 'jump_breakglass_confirm',
  /** "Cancel" on that confirmation: nothing is granted. */
  breakglassCancel: 'jump_breakglass_cancel',
  /**
   * "+30m", "+1h" on the expiry warning, App Home and `/jump list`, as `jump_extend_<ms>` (action
   * ids are unique within a block); its `value` is the grant id and the milliseconds to add
   * (`grant_x_2 1800000`, see `extendValue`).
   */
  extend: 'jump_extend',
  /** "I'm done" next to the Extend buttons: ends the grant now; its `value` is the grant id. */
  done: 'jump_done',
  /** Approve on an extension that waits for the approvers; its `value` is `req_x 2` (request id, window). */
  extensionApprove: 'jump_extension_approve',
  /** Deny on an extension that waits for the approvers; its `value` is `req_x 2`. */
  extensionDeny: 'jump_extension_deny',
  /**
   * "Retry" on a request that failed because the access broker stayed unreachable (approval
   * message and the requester's DM); its `value` is the request id. Issues the grant again
   * without new approvals while they are fresh.
   */
  retryGrant: 'jump_retry_grant',
  /**
   * `callback_id` of the vendor modal (`/jump vendor …`); its `private_metadata` is the command's
   * input as JSON (`{vendorEmail, target, duration, reason}`), checked again on submission.
   */
  vendorModal: 'jump_vendor_modal',
} as const;

/** Where a modal input's value is found: `view.state.values[blockId][actionId]`. */
export interface InputId {
  readonly blockId: string;
  readonly actionId: string;
}

/** The deny modal's one input (plain text, multiline, required). */
export const DENY_REASON = { blockId: 'jump_deny_reason', actionId: 'reason' } as const satisfies InputId;

/**
 * The request modal's inputs. `target` is a static_select (read `selected_option.value`, the
 * target name); the others are plain text inputs (read `value`); `duration` and `ticket` may be
 * left empty.
 */
export const REQUEST_FIELDS = {
  target: { blockId: 'jump_request_target', actionId: 'target' },
  duration: { blockId: 'jump_request_duration', actionId: 'duration' },
  reason: { blockId: 'jump_request_reason', actionId: 'reason' },
  ticket: { blockId: 'jump_request_ticket', actionId: 'ticket' },
} as const satisfies Record<string, InputId>;

/**
 * The vendor modal's inputs, all plain text inputs (read `value`): the vendor's name and company,
 * their OpenSSH public key (one line), and a ticket when the workflow needs one the reason lacks.
 */
export const VENDOR_FIELDS = {
  name: { blockId: 'jump_vendor_name', actionId: 'name' },
  sshPublicKey: { blockId: 'jump_vendor_key', actionId: 'key' },
  ticket: { blockId: 'jump_vendor_ticket', actionId: 'ticket' },
} as const satisfies Record<string, InputId>;
