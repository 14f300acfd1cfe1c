import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OUTAGE_NOTICE } from '../../src/slack/outage-notice.js';
import type { BotProcess } from '../bench/bot-process.js';
import type { FakeSlack, SlackCall } from './fake-slack.js';
import {
  blockActionPayload,
  FORM_CONTENT_TYPE,
  interactionBody,
  signedRequest,
  slashCommandBody,
} from './slack-signing.js';

/**
 * The access flow against a real bot process, as Slack drives it: signed slash commands (the
 * answer read from the response_url), approval clicks, and the certificate DM a grant ends in.
 */
/** One workflow, one target (prod-db), one approver (U0LEAD): the policy of the real-process fault tests. */
export const ONE_TARGET_WORKFLOW = `name: production
targets:
  - name: prod-db
    hosts: [db-1.internal]
    principals: [dbadmin]
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD] }
  max_duration: 1h
  require_reason: false
`;

export interface BotFlow {
  /**
   * Posts `/jump <text>` as `userId`; resolves with the JSON of its answer. While Redis is away
   * (a failover) the bot may first say the request is kept (OUTAGE_NOTICE): that is not the
   * answer, which follows on the same response_url once Redis is back.
   */
  command(bot: BotProcess, userId: string, text: string, timeoutMs?: number): Promise<string>;
  /** `approver` clicks Approve on the request's message. */
  approve(bot: BotProcess, requestId: string, approver?: string): Promise<void>;
  /** The DM to `userId` that carries the grant's certificate. */
  certificateDm(requestId: string, userId?: string, timeoutMs?: number): Promise<SlackCall>;
}

export function botFlow(slack: FakeSlack, signingSecret: string, label: string): BotFlow {
  let responses = 0;

  async function post(bot: BotProcess, body: string): Promise<void> {
    const res = await fetch(`${bot.base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': FORM_CONTENT_TYPE, ...signedRequest(signingSecret, body) },
      body,
    });
    if (res.status !== 200) throw new Error(`/slack/events answered ${res.status}: ${await res.text()}`);
  }

  return {
    async command(bot, userId, text, timeoutMs = 15_000) {
      responses += 1;
      const id = `${label}-${responses}`;
      await post(bot, slashCommandBody({ text, userId, responseUrl: slack.responseUrl(id) }));
      const answer = await slack.waitForResponse(id, (post) => post.body.text !== OUTAGE_NOTICE, timeoutMs);
      return JSON.stringify(answer.body);
    },
    async approve(bot, requestId, approver = 'U0LEAD') {
      responses += 1;
      const payload = blockActionPayload({
        userId: approver,
        actionId: 'jump_approve',
        value: requestId,
        responseUrl: slack.responseUrl(`${label}-${responses}`),
      });
      await post(bot, interactionBody(payload));
    },
    certificateDm(requestId, userId = 'U0ALICE', timeoutMs = 30_000) {
      const grantId = requestId.replace(/^req_/, 'grant_');
      return slack.waitFor(
        'chat.postMessage',
        (call) =>
          call.args.channel === userId &&
          JSON.stringify(call.args).includes(grantId) &&
          JSON.stringify(call.args).includes('cert-v01'),
        timeoutMs,
      );
    },
  };
}

/** `npm run audit -- verify` (its entry, as the script runs it) with `env`; resolves with its exit code and output. */
export async function auditVerify(
  repoDir: string,
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/audit-cli.ts', 'verify'],
      {
        cwd: repoDir,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    };
  }
}
