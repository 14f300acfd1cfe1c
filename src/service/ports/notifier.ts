import type { RequestView } from '../support/request-view.js';

export interface MessageRef {
  readonly channel: string;
  readonly ts: string;
}

/** What a person is told directly (a DM), by moment. */
export type Notice =
  /** Approved, but the broker is unreachable: the grant is retried and lands by itself (request.grantWaitingSince). */
  | { readonly type: 'waiting'; readonly view: RequestView }
  /** Access granted: the certificate and how to use it. */
  | { readonly type: 'granted'; readonly view: RequestView; readonly certificate: string }
  /** The grant was extended: its new certificate (the old one is revoked once this is sent). */
  | { readonly type: 'extended'; readonly view: RequestView; readonly certificate: string }
  /** The approvers denied an extension (request.extensionDenial); the grant keeps its end. */
  | { readonly type: 'extension_denied'; readonly view: RequestView }
  /** The grant ends soon. */
  | { readonly type: 'expiring'; readonly view: RequestView }
  /** The grant ended (request.status says expired or revoked). */
  | { readonly type: 'ended'; readonly view: RequestView }
  /** The request will not be granted (request.status: denied, timed_out or failed). */
  | { readonly type: 'closed'; readonly view: RequestView };

/** Something went wrong that a person must look at (posted in a workflow's channel). */
export interface Alert {
  readonly channel: string;
  /** Plain text; the Slack layer escapes it. */
  readonly text: string;
  readonly requestId?: string;
}

/**
 * How Jumpgate talks to people (Slack in production: src/slack/). Every method may fail (Slack
 * down, ok:false); callers treat a failure as a missed message, never as a failed state change.
 */
export interface Notifier {
  /** Posts the approval message in the workflow's channel. */
  postApprovalMessage(view: RequestView): Promise<MessageRef>;
  /** Re-renders the approval message in place from the request's current state. */
  updateApprovalMessage(ref: MessageRef, view: RequestView): Promise<void>;
  /**
   * Posts a reminder in the approval message's thread, mentioning who may decide now (the
   * request's view says whether it was escalated).
   */
  remind(ref: MessageRef, view: RequestView): Promise<void>;
  /**
   * Asks the approvers to decide the extension the request waits for (request.extensionRequest):
   * a post in the approval message's thread, shown in the channel too. The buttons are on the
   * approval message, which is re-rendered with the extension.
   */
  askExtension(ref: MessageRef, view: RequestView): Promise<void>;
  /** Alerts the workflow's security channel, loudly, that breakglass access was taken. */
  announceBreakglass(view: RequestView): Promise<void>;
  /** Sends a direct message to a Slack user. */
  tell(userId: string, notice: Notice): Promise<void>;
  alert(alert: Alert): Promise<void>;
}
