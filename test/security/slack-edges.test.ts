import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/store/local-redis.js';
import { sshKey, startBot } from '../integration/slack/bot-harness.js';

/*
 * The bot's edges as a stranger meets them: its HTTP listener (body size before verification,
 * /readyz) and what Slack shows when a dependency fails. The broker is an address nobody
 * listens on, so every grant fails with broker_unavailable.
 */

const WORKFLOWS = {
  production: `
name: production
targets:
  - name: prod-db
    hosts: [db-1.internal]
    principals: [dbadmin]
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD] }
  max_duration: 4h
  require_reason: true
  request_timeout: 30m
  grant_retry_window: 2s
`,
};
const USERS = ['U0ALICE', 'U0LEAD'].map((id) => ({ id, email: `${id.slice(2).toLowerCase()}@example.com` }));
const MB = 1024 * 1024;

let bot: Awaited<ReturnType<typeof startBot>>;
let deadBroker: string;

beforeAll(async () => {
  deadBroker = `127.0.0.1:${await freePort()}`;
  bot = await startBot({
    label: 'sec-edges',
    workflows: WORKFLOWS,
    users: USERS,
    env: { BROKER_URL: `http://${deadBroker}/internal/broker` },
  });
  const registered = await bot.command('U0ALICE', `key ${await sshKey(bot.dir, 'alice')}`);
  expect(await registered.reply()).toContain('SHA256:');
});
afterAll(() => bot.stop());

/**
 * Sends a POST to /slack/events over a raw socket, `body` bytes in 16 KB pieces, and stops
 * sending as soon as an answer arrives. Resolves with the answer and how much had been sent.
 */
function postLarge(
  port: number,
  body: number,
  chunked: boolean,
): Promise<{ head: string; sent: number; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let sent = 0;
    let answer = '';
    let answered = false;
    const piece = Buffer.alloc(16 * 1024, 'a');
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // The server may close while we still write: that is the refusal, if an answer came first.
      if (answered && (error.code === 'EPIPE' || error.code === 'ECONNRESET')) return;
      reject(error);
    });
    socket.on('data', (data) => {
      answer += data.toString();
      answered = true;
    });
    socket.once('close', () => resolve({ head: answer.split('\r\n')[0] ?? '', sent, closed: true }));
    socket.once('connect', () => {
      socket.write(
        'POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
          (chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${body}\r\n`) +
          '\r\n',
      );
      const next = () => {
        if (answered || socket.destroyed) return;
        if (sent >= body) {
          if (chunked) socket.write('0\r\n\r\n');
          return;
        }
        sent += piece.length;
        const ok = socket.write(
          chunked
            ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
            : piece,
        );
        // A pause between pieces gives the server the chance to answer before everything is sent.
        setTimeout(next, ok ? 5 : 20);
      };
      next();
    });
  });
}

describe('the Slack endpoint before verification', () => {
  it('an unsigned 1 MB body is refused with 413 before verification (declared length)', async () => {
    const { head, sent, closed } = await postLarge(Number(new URL(bot.base).port), MB, false);
    expect(head).toBe('HTTP/1.1 413 Payload Too Large');
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(MB); // the answer came while most of the body was still unsent
  });

  it('an unsigned 1 MB body is refused with 413 before verification (chunked, no length)', async () => {
    const { head, sent, closed } = await postLarge(Number(new URL(bot.base).port), MB, true);
    expect(head).toBe('HTTP/1.1 413 Payload Too Large');
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(MB);
  });

  it('a signed slash command of ordinary size is still taken', async () => {
    const asked = await bot.command('U0ALICE', 'targets');
    expect(asked.status).toBe(200);
    expect(await asked.reply()).toMatch(/You may request 1 target/);
  });
});

describe('public answers carry codes only', () => {
  it('readyz never tells a stranger why a dependency failed', async () => {
    const res = await fetch(`${bot.base}/readyz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    const body = JSON.parse(text) as { ok: boolean; checks: Record<string, string> };
    expect(body.ok).toBe(false);
    expect(body.checks).toMatchObject({ redis: 'ok', broker: 'unavailable' });
    for (const value of Object.values(body.checks)) expect(value).toMatch(/^[a-z_]+$/); // a code, never a sentence
    expect(text).not.toContain(deadBroker.split(':')[1]);
    expect(text).not.toMatch(/127\.0\.0\.1|http|fetch|ECONN/);
  });

  it('a broker outage message in Slack names no internal URL', async () => {
    const asked = await bot.command('U0ALICE', 'request prod-db 30m fix replication INC-42');
    const id = /req_[a-z0-9]+/.exec(await asked.reply())?.[0];
    expect(id).toBeDefined();
    await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'C0APPROVALS' && JSON.stringify(call.args).includes(id!),
    );
    await (await bot.click('U0LEAD', 'jump_approve', id!)).reply();

    // The request waits for the broker, then (grant_retry_window 2s) fails: both messages say so.
    const failed = await bot.slack.waitFor(
      'chat.update',
      (call) => JSON.stringify(call.args).includes(id!) && JSON.stringify(call.args).includes('Could not be granted'),
      20_000,
    );
    expect(JSON.stringify(failed.args)).toContain('did not answer');
    await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'U0ALICE' && /not granted|could not/i.test(JSON.stringify(call.args)),
      10_000,
    );

    expect(JSON.stringify(bot.slack.calls('chat.update'))).toContain('waiting for the access broker');
    const everything = JSON.stringify([bot.slack.calls(), bot.slack.responses()]);
    expect(everything).not.toContain(deadBroker);
    expect(everything).not.toContain('/internal/broker');
    expect(everything).not.toMatch(/ECONNREFUSED|fetch failed/);
  }, 40_000);
});

describe('the reason is limited when the request is made', () => {
  it('a reason over 1,000 characters is refused with its length, and nothing is posted for approval', async () => {
    const before = bot.slack.calls('chat.postMessage').filter((call) => call.args.channel === 'C0APPROVALS').length;
    const reason = `fix replication INC-42 ${'x'.repeat(1_200)}`;
    const asked = await bot.command('U0ALICE', `request prod-db 30m ${reason}`);
    expect(asked.status).toBe(200);
    expect(await asked.reply()).toBe(':warning: The reason is 1,223 characters long; at most 1,000 are allowed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bot.slack.calls('chat.postMessage').filter((call) => call.args.channel === 'C0APPROVALS')).toHaveLength(
      before,
    );
  });
});
