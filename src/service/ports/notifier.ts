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
 * How Jumpgate talks to people (Slack in production: a durable outbox, src/slack/ and src/jobs/).
 * Every method may fail (Redis or Slack down); callers treat a failure as a missed message, never
 * as a failed state change. A notifier may queue a message rather than send it: it then resolves
 * once the message is queued, and the approval message's place (`MessageRef`) is recorded
 * (`Store.setMessage`) when Slack takes the post.
 */
export interface Notifier {
  /**
   * Posts the approval message in the workflow's channel. Resolves to where it landed, or to
   * undefined when it was queued (the delivery records where it lands).
   */
  postApprovalMessage(view: RequestView): Promise<MessageRef | undefined>;
  /**
   * Re-renders the approval message in place from the request's state. `ref` undefined: where it
   * is is not known yet (its post may be queued): a queuing notifier finds it when it sends, and
   * sends after the post; one that sends at once has nothing to update.
   */
  updateApprovalMessage(ref: MessageRef | undefined, view: RequestView): Promise<void>;
  /**
   * Posts a reminder in the approval message's thread, mentioning who may decide now (the
   * request's view says whether it was escalated). `ref` as for `updateApprovalMessage`.
   */
  remind(ref: MessageRef | undefined, view: RequestView): Promise<void>;
  /**
   * Asks the approvers to decide the extension the request waits for (request.extensionRequest):
   * a post in the approval message's thread, shown in the channel too. The buttons are on the
   * approval message, which is re-rendered with the extension. `ref` as for `updateApprovalMessage`.
   */
  askExtension(ref: MessageRef | undefined, view: RequestView): Promise<void>;
  /** Alerts the workflow's security channel, loudly, that breakglass access was taken. */
  announceBreakglass(view: RequestView): Promise<void>;
  /** Sends a direct message to a Slack user. */
  tell(userId: string, notice: Notice): Promise<void>;
  alert(alert: Alert): Promise<void>;
}
