import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { FORM_CONTENT_TYPE, signedRequest } from '../support/slack-signing.js';
import type { Ack, SenderReply } from './slack-sender.js';

/**
 * The thread that posts to the bot's /slack/events for the bench (slack-sender.ts): signs each
 * body as Slack does, sends it over kept-alive connections and times the ack, on an event loop
 * that does nothing else.
 */
const ACK_TIMEOUT_MS = 30_000;
const { base, signingSecret, maxSockets } = workerData as { base: string; signingSecret: string; maxSockets: number };
const agent = new http.Agent({ keepAlive: true, maxSockets });
const url = new URL('/slack/events', base);
const nowMs = () => performance.timeOrigin + performance.now();
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
          ...signedRequest(signingSecret, body),
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

parentPort?.on('message', ({ id, body }: { id: number; body: string }) => {
  post(body).then(
    (ack) => parentPort?.postMessage({ id, ack, resent } satisfies SenderReply),
    (error: unknown) =>
      parentPort?.postMessage({
        id,
        error: error instanceof Error ? error.message : String(error),
        resent,
      } satisfies SenderReply),
  );
});
