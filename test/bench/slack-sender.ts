import http from 'node:http';
import {
  blockActionPayload,
  FORM_CONTENT_TYPE,
  interactionBody,
  signedRequest,
  slashCommandBody,
} from '../support/slack-signing.js';

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

const ACK_TIMEOUT_MS = 30_000;
export const nowMs = () => performance.timeOrigin + performance.now();

/**
 * Posts to the bot's /slack/events exactly as Slack does: form-encoded, signed with the signing
 * secret (X-Slack-Signature, X-Slack-Request-Timestamp), over kept-alive connections.
 */
export function createSlackSender(options: {
  base: string;
  signingSecret: string;
  responseUrl: (id: string) => string;
  maxSockets: number;
}): SlackSender {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const url = new URL('/slack/events', options.base);
  let resent = 0;

  function post(body: string, retry = true): Promise<Ack> {
    const sentAtMs = nowMs();
    return new Promise<Ack>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': FORM_CONTENT_TYPE,
            'content-length': Buffer.byteLength(body),
            ...signedRequest(options.signingSecret, body),
          },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode ?? 0, ackMs: nowMs() - sentAtMs, sentAtMs }));
          res.once('error', reject);
        },
      );
      req.setTimeout(ACK_TIMEOUT_MS, () => req.destroy(new Error(`no ack within ${ACK_TIMEOUT_MS} ms`)));
      req.once('error', (error: NodeJS.ErrnoException) => {
        // Node's documented pattern: a reused socket the server closed while idle is retried once.
        if (retry && req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
          resent += 1;
          post(body, false).then(resolve, reject);
        } else {
          reject(error);
        }
      });
      req.end(body);
    });
  }

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
    close: () => agent.destroy(),
  };
}
