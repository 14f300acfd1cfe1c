import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { type BotProcess, startBotProcess } from '../../bench/bot-process.js';
import { type Cleanup, createCleanup } from '../../bench/cleanup.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { signedRequest, slashCommandBody } from '../../support/slack-signing.js';

/**
 * The bot as users run it (`node --import tsx src/main.ts`, configured by its environment only),
 * reloading its workflow files on SIGHUP and when a file in the folder changes.
 */
const SIGNING_SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const BOT_TOKEN = 'xoxb-0000-1111-reloadprocess';
const REPO = path.resolve(import.meta.dirname, '../../..');

const workflow = (name: string, targets: readonly string[]) => `name: ${name}
targets:
${targets.map((t) => `  - name: ${t}\n    hosts: [${t}.internal]\n    principals: [ops]`).join('\n')}
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD] }
  max_duration: 1h
  request_timeout: 30m
`;

describe('reload in a real bot process', () => {
  let dir: string;
  let slack: FakeSlack;
  let cleanup: Cleanup;
  let bot: BotProcess;
  let replies = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-reload-process-'));
    // main.yml is a symlink to a file outside the folder: editing that file is no change in the
    // folder, so only SIGHUP can make the bot read it again.
    await mkdir(path.join(dir, 'workflows'));
    await mkdir(path.join(dir, 'elsewhere'));
    await writeFile(path.join(dir, 'elsewhere', 'main.yml'), workflow('main', ['app-1']));
    await symlink(path.join(dir, 'elsewhere', 'main.yml'), path.join(dir, 'workflows', 'main.yml'));
    slack = await startFakeSlack({ users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }], token: BOT_TOKEN });
    cleanup = createCleanup(() => undefined);
    bot = await startBotProcess(
      {
        repoDir: REPO,
        dataDir: path.join(dir, 'data'),
        workflowsDir: path.join(dir, 'workflows'),
        redisUrl: inject('redisUrl'),
        prefix: `t-reload-process-${randomBytes(4).toString('hex')}`,
        slackApiUrl: slack.url,
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        logFile: path.join(dir, 'bot.log'),
      },
      cleanup,
    );
  });

  afterAll(async () => {
    await cleanup?.run();
    await slack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const hash = async () =>
    ((await (await fetch(`${bot.base}/readyz`)).json()) as { policy: { hash: string } }).policy.hash;

  async function targets(): Promise<string> {
    replies += 1;
    const id = `targets-${replies}`;
    const body = slashCommandBody({ text: 'targets', userId: 'U0ALICE', responseUrl: slack.responseUrl(id) });
    const res = await fetch(`${bot.base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedRequest(SIGNING_SECRET, body) },
      body,
    });
    expect(res.status).toBe(200);
    return JSON.stringify((await slack.waitForResponse(id, undefined, 10_000)).body);
  }

  it('SIGHUP reads the files again: the new target is requestable, /readyz and /metrics show the new hash', async () => {
    const before = await hash();
    expect(await targets()).not.toContain('app-2');
    await writeFile(path.join(dir, 'elsewhere', 'main.yml'), workflow('main', ['app-1', 'app-2']));
    process.kill(bot.pid, 'SIGHUP');
    await expect.poll(hash, { timeout: 15_000 }).not.toBe(before);
    const after = await hash();
    expect(await bot.metrics()).toContain(`jumpgate_policy_info{hash="${after}"} 1`);
    expect(await targets()).toContain('app-2');
  });

  it('a new file in the folder is picked up without a signal', async () => {
    const before = await hash();
    await writeFile(path.join(dir, 'workflows', 'extra.yml'), workflow('extra', ['extra-1']));
    await expect.poll(hash, { timeout: 15_000 }).not.toBe(before);
    expect(await targets()).toContain('extra-1');
  });

  it('an invalid change keeps the policy that was running, and the process keeps serving', async () => {
    const before = await hash();
    await writeFile(path.join(dir, 'elsewhere', 'main.yml'), 'name: main\ntargets: [oops]\n');
    process.kill(bot.pid, 'SIGHUP');
    // The reload is logged as an error: wait for that line rather than for time to pass.
    await expect
      .poll(() => readFile(path.join(dir, 'bot.log'), 'utf8'), { timeout: 15_000 })
      .toContain('the workflow files are invalid');
    expect(await hash()).toBe(before);
    expect(await targets()).toContain('app-2');
  });
});

describe('reload in two real bot processes on one Redis', () => {
  let dir: string;
  let slack: FakeSlack;
  let cleanup: Cleanup;
  let bots: BotProcess[];
  const prefix = `t-reload-two-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-reload-two-'));
    await mkdir(path.join(dir, 'workflows'));
    await writeFile(path.join(dir, 'workflows', 'main.yml'), workflow('main', ['app-1']));
    slack = await startFakeSlack({ users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }], token: BOT_TOKEN });
    cleanup = createCleanup(() => undefined);
    const start = (n: number) =>
      startBotProcess(
        {
          repoDir: REPO,
          dataDir: path.join(dir, `data-${n}`),
          workflowsDir: path.join(dir, 'workflows'),
          redisUrl: inject('redisUrl'),
          prefix,
          slackApiUrl: slack.url,
          botToken: BOT_TOKEN,
          signingSecret: SIGNING_SECRET,
          logFile: path.join(dir, `bot-${n}.log`),
        },
        cleanup,
      );
    // One after the other: the second finds the policy the first recorded in force.
    bots = [await start(1), await start(2)];
  }, 120_000);

  afterAll(async () => {
    await cleanup?.run();
    await slack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const hashOf = async (bot: BotProcess) =>
    ((await (await fetch(`${bot.base}/readyz`)).json()) as { policy: { hash: string } }).policy.hash;
  const policyChanges = async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      const records = await createRedisStore({ redis, prefix, now: Date.now }).range(1);
      return records.filter((record) => record.type === 'policy_changed');
    } finally {
      await redis.quit();
    }
  };

  it('both processes take a file change, and one policy_changed is written between them', async () => {
    const [first, second] = bots as [BotProcess, BotProcess];
    const before = await hashOf(first);
    expect(await hashOf(second)).toBe(before);
    const recorded = (await policyChanges()).length;
    await writeFile(path.join(dir, 'workflows', 'extra.yml'), workflow('extra', ['extra-1']));
    await expect.poll(() => hashOf(first), { timeout: 15_000 }).not.toBe(before);
    await expect.poll(() => hashOf(second), { timeout: 15_000 }).toBe(await hashOf(first));
    const changes = await policyChanges();
    expect(changes).toHaveLength(recorded + 1);
    expect(changes.at(-1)?.detail.hash).toBe(await hashOf(first));
  });
});
