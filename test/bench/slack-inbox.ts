import { type FakeSlack, type FakeSlackUser, type SlackCall, startFakeSlack } from '../support/fake-slack.js';
import { createMailbox, type Mailbox } from './mailbox.js';

/** An answer posted to a response_url: its text, and when the fake Slack received it (epoch ms). */
export interface Answer {
  readonly text: string;
  readonly atMs: number;
}

/** An approval message as posted: where it is, and the Approve button's value. */
export interface ApprovalPost {
  readonly channel: string;
  readonly ts: string;
  readonly approveValue: string;
  readonly atMs: number;
}

export interface SlackInbox {
  readonly slack: FakeSlack;
  /** Answers by response_url id. */
  readonly answers: Mailbox<Answer>;
  /** Approval messages by request id. */
  readonly approvals: Mailbox<ApprovalPost>;
  /** Certificate DMs (the chat.postMessage to the requester carrying the certificate), by request id: when received. */
  readonly certificates: Mailbox<number>;
  /** Web API calls received so far, by method. */
  readonly callCounts: ReadonlyMap<string, number>;
}

const CERT_TYPE = /-cert-v01@openssh\.com /;

/**
 * The fake Slack the bench's bot talks to (test/support/fake-slack.ts, keeping nothing: a full
 * run makes hundreds of thousands of calls), with each answer, approval message and certificate
 * DM handed to whoever waits for it, timed on arrival.
 */
export async function startSlackInbox(options: {
  token: string;
  users: readonly FakeSlackUser[];
}): Promise<SlackInbox> {
  const answers = createMailbox<Answer>('answer');
  const approvals = createMailbox<ApprovalPost>('approval message');
  const certificates = createMailbox<number>('certificate DM');
  const callCounts = new Map<string, number>();
  let ts = 0;

  const onCall = (call: SlackCall, atMs: number) => {
    callCounts.set(call.method, (callCounts.get(call.method) ?? 0) + 1);
    if (call.method !== 'chat.postMessage') return;
    const channel = typeof call.args.channel === 'string' ? call.args.channel : '';
    const json = JSON.stringify(call.args);
    if (channel.startsWith('C')) {
      const approveValue = approveButtonValue(call.args.blocks);
      // The fake answers with increasing ts; the clicks only need one that names this message.
      ts += 1;
      if (approveValue)
        approvals.deliver(approveValue, {
          channel,
          ts: `1700000000.${String(ts).padStart(6, '0')}`,
          approveValue,
          atMs,
        });
    } else if (/^[UW]/.test(channel) && CERT_TYPE.test(json)) {
      const grantId = /grant_[a-z0-9]+/.exec(json)?.[0];
      if (grantId) certificates.deliver(`req_${grantId.slice('grant_'.length)}`, atMs);
    }
  };
  const slack = await startFakeSlack({
    users: options.users,
    token: options.token,
    retain: false,
    onCall,
    onResponse: (post, atMs) =>
      answers.deliver(post.id, {
        text: typeof post.body.text === 'string' ? post.body.text : JSON.stringify(post.body),
        atMs,
      }),
  });
  return { slack, answers, approvals, certificates, callCounts };
}

/** The value of the `jump_approve` button in a message's blocks, if it has one. */
function approveButtonValue(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as { elements?: unknown }[]) {
    if (!Array.isArray(block.elements)) continue;
    for (const element of block.elements as { action_id?: unknown; value?: unknown }[]) {
      if (element.action_id === 'jump_approve' && typeof element.value === 'string') return element.value;
    }
  }
  return undefined;
}
