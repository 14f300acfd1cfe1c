import { Worker } from 'node:worker_threads';
import { blockActionPayload, interactionBody, slashCommandBody } from '../support/slack-signing.js';

/** The HTTP status of one post to /slack/events and how long the ack took. */
export interface Ack {
  readonly status: number;
  readonly ackMs: number;
  /** When the post was sent (epoch ms, sub-ms precision). */
  readonly sentAtMs: number;
}

export interface SlackSender {
  /** `/jump <text>` from `userId`, answered through the response_url named `responseId`. */
  command(userId: string, text: string, responseId: string): Promise<Ack>;
  /** A click on the Approve button of an approval message. */
  approve(userId: string, click: { value: string; channel: string; ts: string }, responseId: string): Promise<Ack>;
  /** Posts sent again after a kept-alive connection was closed under them (as Slack would retry). */
  readonly resent: number;
  close(): void;
}

export const nowMs = () => performance.timeOrigin + performance.now();

/** What the sender's thread answers for one post (sender-thread.ts). */
export interface SenderReply {
  readonly id: number;
  readonly ack?: Ack;
  readonly error?: string;
  readonly resent: number;
}

/**
 * Posts to the bot's /slack/events exactly as Slack does: form-encoded, signed with the signing
 * secret (X-Slack-Signature, X-Slack-Request-Timestamp), over kept-alive connections. The posts
 * leave from a worker thread of their own (sender-thread.ts), which times each ack: Slack's
 * senders do not share an event loop with the Web API that the bot calls meanwhile, and the
 * bench's fake Slack (this thread) would otherwise add its own busy time to every ack.
 */
export function createSlackSender(options: {
  base: string;
  signingSecret: string;
  responseUrl: (id: string) => string;
  maxSockets: number;
}): SlackSender {
  // The thread is TypeScript too: it registers tsx's loader, then imports its module.
  const thread = new URL('./sender-thread.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(thread)}); });`;
  const worker = new Worker(boot, {
    eval: true,
    workerData: { base: options.base, signingSecret: options.signingSecret, maxSockets: options.maxSockets },
  });
  const waiting = new Map<number, { resolve: (ack: Ack) => void; reject: (error: Error) => void }>();
  let next = 0;
  let resent = 0;
  worker.on('message', (reply: SenderReply) => {
    resent = reply.resent;
    const one = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ack) one?.resolve(reply.ack);
    else one?.reject(new Error(reply.error ?? 'the sender thread failed'));
  });
  const failAll = (error: Error) => {
    for (const one of waiting.values()) one.reject(error);
    waiting.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the sender thread exited (${code})`)));

  const post = (body: string) =>
    new Promise<Ack>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, body });
    });

  return {
    command: (userId, text, responseId) =>
      post(slashCommandBody({ text, userId, responseUrl: options.responseUrl(responseId) })),
    approve: (userId, click, responseId) =>
      post(
        interactionBody(
          blockActionPayload({
            userId,
            actionId: 'jump_approve',
            value: click.value,
            channelId: click.channel,
            messageTs: click.ts,
            responseUrl: options.responseUrl(responseId),
          }),
        ),
      ),
    get resent() {
      return resent;
    },
    close: () => void worker.terminate(),
  };
}
