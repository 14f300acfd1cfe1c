import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { inject } from 'vitest';
import { type RunningJumpgate, startJumpgate, type Tuning } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { type FakeSlack, type FakeSlackUser, startFakeSlack } from '../../support/fake-slack.js';
import {
  blockActionPayload,
  interactionBody,
  signedRequest,
  slashCommandBody,
  type ViewSubmissionInput,
  viewSubmissionPayload,
} from '../../support/slack-signing.js';

const run = promisify(execFile);
export const SIGNING_SECRET = 'e3b0c44298fc1c149afbf4c8996fb924';
export const BOT_TOKEN = 'xoxb-0000-1111-jumpgatetest';

/**
 * The whole bot, in this process: real Redis (the run's redis-server, a prefix of its own), the
 * embedded reference broker with real ssh-keygen, BullMQ workers, and a local HTTP server that
 * speaks Slack's Web API. Slack's side is played by posting signed, form-encoded payloads to
 * /slack/events, exactly as Slack sends them.
 */
export async function startBot(options: {
  label: string;
  workflows: Record<string, string>;
  users: FakeSlackUser[];
  groups?: Record<string, string[]>;
  /** More environment, e.g. PAGERDUTY_* pointing at a fake PagerDuty. */
  env?: Record<string, string>;
  tuning?: Tuning;
}) {
  const dir = await mkdtemp(path.join(tmpdir(), `jumpgate-${options.label}-`));
  const workflowsDir = path.join(dir, 'workflows');
  await mkdir(workflowsDir);
  for (const [name, yaml] of Object.entries(options.workflows))
    await writeFile(path.join(workflowsDir, `${name}.yml`), yaml);
  const slack: FakeSlack = await startFakeSlack({
    users: options.users,
    groups: options.groups ?? {},
    token: BOT_TOKEN,
  });
  const prefix = `t-${options.label}-${randomBytes(4).toString('hex')}`;
  const auditFile = path.join(dir, 'audit.jsonl');
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    PORT: '0',
    REDIS_URL: inject('redisUrl'),
    JUMPGATE_PREFIX: prefix,
    WORKFLOWS_DIR: workflowsDir,
    DATA_DIR: path.join(dir, 'data'),
    AUDIT_LOG_FILE: auditFile,
    ...options.env,
  };
  const config = loadConfig(env);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  let bot: RunningJumpgate = await startJumpgate(config, logger, options.tuning);
  let base = `http://127.0.0.1:${bot.port}`;
  const replicas: RunningJumpgate[] = [];
  let responses = 0;

  async function post(body: string, headers: Record<string, string>): Promise<Response> {
    return fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  }
  async function signedPost(body: string, timestampSec?: number): Promise<Response> {
    return post(body, { ...signedRequest(SIGNING_SECRET, body, timestampSec) });
  }

  return {
    slack,
    prefix,
    dir,
    auditFile,
    post,
    signedPost,
    /** `/jump <text>` as `userId`; resolves with the first answer posted to its response_url. */
    async command(
      userId: string,
      text: string,
    ): Promise<{ status: number; reply: () => Promise<string>; responseId: string }> {
      responses += 1;
      const responseId = `cmd-${responses}`;
      const res = await signedPost(slashCommandBody({ text, userId, responseUrl: slack.responseUrl(responseId) }));
      return {
        status: res.status,
        responseId,
        reply: async () => textOf((await slack.waitForResponse(responseId, undefined, 10_000)).body),
      };
    },
    /** A click on a message button; resolves with the ephemeral answer, if any is awaited. */
    async click(
      userId: string,
      actionId: string,
      value: string,
    ): Promise<{ status: number; reply: () => Promise<string> }> {
      responses += 1;
      const responseId = `click-${responses}`;
      const res = await signedPost(
        interactionBody(blockActionPayload({ userId, actionId, value, responseUrl: slack.responseUrl(responseId) })),
      );
      return {
        status: res.status,
        reply: async () => textOf((await slack.waitForResponse(responseId, undefined, 10_000)).body),
      };
    },
    async submitView(input: ViewSubmissionInput): Promise<Response> {
      return signedPost(interactionBody(viewSubmissionPayload(input)));
    },
    get base() {
      return base;
    },
    /** What SIGHUP does: reads the workflow files again. */
    reloadPolicy() {
      return bot.reloadPolicy();
    },
    /** Stops the bot and starts it again on the same Redis, data and workflows (a restart). */
    async restart() {
      await bot.stop();
      bot = await startJumpgate(config, logger, options.tuning);
      base = `http://127.0.0.1:${bot.port}`;
    },
    /** A second bot process on the same Redis and prefix (its own DATA_DIR, as on another host). */
    async addReplica() {
      // Replicas share one broker and the key it trusts, as a deployment with BROKER_URL does.
      const signingKey = await readFile(path.join(dir, 'data', 'signing-key.jwk.json'), 'utf8');
      const replica = await startJumpgate(
        loadConfig({
          ...env,
          PORT: '0',
          DATA_DIR: path.join(dir, `replica-${replicas.length + 1}`),
          AUDIT_LOG_FILE: path.join(dir, `replica-${replicas.length + 1}-audit.jsonl`),
          BROKER_URL: bot.brokerUrl,
          JUMPGATE_SIGNING_KEY: signingKey,
        }),
        logger,
      );
      replicas.push(replica);
      return replica;
    },
    async stop() {
      for (const replica of replicas) await replica.stop();
      await bot.stop();
      await slack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An ed25519 key pair made by the real ssh-keygen; returns the public key line. */
export async function sshKey(dir: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', `${name}@laptop`, '-f', file]);
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

function textOf(body: Record<string, unknown>): string {
  return typeof body.text === 'string' ? body.text : '';
}
