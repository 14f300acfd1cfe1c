import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AccessRow } from '../../../src/domain/access-report.js';
import type { AuditRecord } from '../../../src/service/ports/audit.js';
import { signedRequest } from '../../support/slack-signing.js';
import { isRevoked } from '../broker/harness.js';
import { SIGNING_SECRET, sshKey, startBot } from '../slack/bot-harness.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../../..');

/** A workflow file with one approver (U0LEAD) for `targets`, each `name` or `name: {retired: true}`. */
function workflow(
  name: string,
  targets: readonly (string | { name: string; retired: true })[],
  channel = 'C0APPROVALS',
): string {
  const lines = targets.map((t) => {
    const target = typeof t === 'string' ? { name: t, retired: false } : t;
    return `  - name: ${target.name}\n    hosts: [${target.name}.internal]\n    principals: [ops]${target.retired ? '\n    retired: true' : ''}`;
  });
  return `name: ${name}
targets:
${lines.join('\n')}
access:
  channel: ${channel}
  approvers: { users: [U0LEAD] }
  max_duration: 4h
  require_reason: true
  request_timeout: 30m
`;
}

const USERS = ['U0ALICE', 'U0LEAD', 'U0DAVE', 'U0ERIN'].map((id) => ({
  id,
  email: `${id.slice(2).toLowerCase()}@example.com`,
}));
let bot: Awaited<ReturnType<typeof startBot>>;
let workflowsDir: string;

beforeAll(async () => {
  bot = await startBot({
    label: 'lifecycle',
    workflows: { main: workflow('main', ['app-1', 'db-old', 'cache-old', 'svc-1', 'svc-2']) },
    users: USERS,
    env: { JUMPGATE_ADMIN_CHANNEL: 'C0ADMIN' },
    // Short so a file change is picked up quickly and the periodic check runs within the test.
    tuning: { reloadDebounceMs: 100, peopleCheckEveryMs: 500 },
  });
  workflowsDir = path.join(bot.dir, 'workflows');
  for (const person of ['U0ALICE', 'U0DAVE', 'U0ERIN']) {
    const registered = await bot.command(person, `key ${await sshKey(bot.dir, person.toLowerCase())}`);
    expect(await registered.reply()).toContain('SHA256:');
  }
});
afterAll(() => bot.stop());

async function audit(): Promise<AuditRecord[]> {
  return (await readFile(bot.auditFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling the bot's effects
  }
}

async function readyHash(base = bot.base): Promise<string> {
  const body = (await (await fetch(`${base}/readyz`)).json()) as { policy?: { hash: string } };
  return body.policy?.hash ?? '';
}

async function request(userId: string, target: string): Promise<string> {
  const reply = await (await bot.command(userId, `request ${target} 1h lifecycle test`)).reply();
  const id = /req_[a-z0-9]+/.exec(reply)?.[0];
  if (!id) throw new Error(`no request id in: ${reply}`);
  return id;
}

/** Requests `target` as `userId`, U0LEAD approves, resolves with the certificate once issued. */
async function grantFor(userId: string, target: string): Promise<{ id: string; certificate: string }> {
  const id = await request(userId, target);
  expect(await (await bot.click('U0LEAD', 'jump_approve', id)).reply()).toContain('You approved');
  const dm = await bot.slack.waitFor(
    'chat.postMessage',
    (call) =>
      call.args.channel === userId &&
      JSON.stringify(call.args).includes('-cert-v01@openssh.com') &&
      JSON.stringify(call.args).includes(target),
    15_000,
  );
  const certificate = /(ssh-ed25519-cert-v01@openssh\.com \S+)/.exec(
    JSON.stringify(dm.args).replace(/\\n/g, '\n'),
  )?.[1];
  if (!certificate) throw new Error('no certificate in the DM');
  return { id, certificate };
}

async function revokedAtBastion(certificate: string): Promise<boolean> {
  const krl = path.join(bot.dir, `krl-${Date.now()}`);
  await writeFile(krl, Buffer.from(await (await fetch(`${bot.base}/v1/krl`)).arrayBuffer()));
  try {
    return await isRevoked(krl, certificate);
  } finally {
    await rm(krl, { force: true });
  }
}

function statusOf(records: readonly AuditRecord[], id: string): string | undefined {
  return records.filter((r) => r.requestId === id).at(-1)?.type;
}

describe('policy reload', () => {
  it('records the policy in force at start-up and shows its hash in /readyz and /metrics', async () => {
    const hash = await readyHash();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await (await fetch(`${bot.base}/metrics`)).text()).toContain(`jumpgate_policy_info{hash="${hash}"} 1`);
    const changes = (await audit()).filter((r) => r.type === 'policy_changed');
    expect(changes).toHaveLength(1);
    expect(changes[0]?.detail).toMatchObject({ hash, previous: null });
  });

  it('takes a file change: a new target is requestable, one policy_changed names what changed', async () => {
    const before = await readyHash();
    await writeFile(path.join(workflowsDir, 'extra.yml'), workflow('extra', ['new-box'], 'C0EXTRA'));
    const after = await waitFor('the reload', async () => ((await readyHash()) !== before ? readyHash() : undefined));
    expect(await request('U0ALICE', 'new-box')).toMatch(/^req_/);
    const changed = await waitFor('the policy_changed record', async () =>
      (await audit()).find((r) => r.type === 'policy_changed' && r.detail.hash === after),
    );
    expect(changed.detail).toMatchObject({
      previous: before,
      targets: { added: ['new-box'], removed: [], changed: [] },
      workflows: { added: ['extra'], removed: [], changed: [] },
    });
  });

  it('keeps the running policy on an invalid change and posts the problems to the admin channel once', async () => {
    const before = await readyHash();
    await writeFile(path.join(workflowsDir, 'broken.yml'), 'name: broken\ntargets: []\naccess: {}\n');
    const alert = await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'C0ADMIN' && JSON.stringify(call.args).includes('broken.yml'),
    );
    expect(JSON.stringify(alert.args)).toMatch(/broken\.yml: access\.channel: /);
    // The same problems again (SIGHUP) are logged, not posted twice.
    expect((await bot.reloadPolicy()).outcome).toBe('invalid');
    expect(bot.slack.calls('chat.postMessage').filter((c) => c.args.channel === 'C0ADMIN')).toHaveLength(1);
    expect(await readyHash()).toBe(before);
    expect(await request('U0ALICE', 'app-1')).toMatch(/^req_/);
    await rm(path.join(workflowsDir, 'broken.yml'));
    expect((await bot.reloadPolicy()).outcome).toBe('unchanged');
  });
});

describe('retiring a target', () => {
  it('retired: true cancels its pending requests, ends its grants (KRL), tells why, and refuses new ones', async () => {
    const pending = await request('U0DAVE', 'db-old');
    const granted = await grantFor('U0ALICE', 'db-old');
    expect(await revokedAtBastion(granted.certificate)).toBe(false);

    await writeFile(
      path.join(workflowsDir, 'main.yml'),
      workflow('main', ['app-1', { name: 'db-old', retired: true }, 'cache-old', 'svc-1', 'svc-2']),
    );
    // The file watch may have applied the change already (then this reload finds it unchanged).
    const outcome = await bot.reloadPolicy();
    expect(['applied', 'unchanged']).toContain(outcome.outcome);

    const records = await waitFor('the target_retired record', async () => {
      const all = await audit();
      return all.some((r) => r.type === 'target_retired' && r.target === 'db-old') ? all : undefined;
    });
    expect(statusOf(records, pending)).toBe('cancelled');
    expect(statusOf(records, granted.id)).toBe('revoked');
    const retired = records.filter((r) => r.type === 'target_retired' && r.target === 'db-old');
    expect(retired).toHaveLength(1);
    expect(retired[0]?.detail).toMatchObject({
      how: 'marked',
      cancelled: [pending],
      ended: [granted.id.replace('req_', 'grant_')],
    });
    expect(await revokedAtBastion(granted.certificate)).toBe(true);
    await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'U0ALICE' && JSON.stringify(call.args).includes('was retired on'),
    );
    await bot.slack.waitFor(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'U0DAVE' && JSON.stringify(call.args).includes('was cancelled: db-old was retired'),
    );
    await bot.slack.waitFor(
      'chat.update',
      (call) =>
        JSON.stringify(call.args).includes(pending) &&
        JSON.stringify(call.args).includes('Cancelled: db-old was retired'),
    );

    const refused = await (await bot.command('U0ERIN', 'request db-old 1h one more')).reply();
    expect(refused).toMatch(/db-old was retired on \d{4}-\d\d-\d\d \d\d:\d\d UTC: it takes no new requests/);
    expect(refused).toContain('<#C0APPROVALS>');
  });

  it('a target removed from the files is retired the same way, and the report still shows its access', async () => {
    const granted = await grantFor('U0ALICE', 'cache-old');
    await writeFile(
      path.join(workflowsDir, 'main.yml'),
      workflow('main', ['app-1', { name: 'db-old', retired: true }, 'svc-1', 'svc-2']),
    );
    await bot.reloadPolicy();
    const records = await waitFor('the removal', async () => {
      const all = await audit();
      return all.some((r) => r.type === 'target_retired' && r.target === 'cache-old') ? all : undefined;
    });
    expect(statusOf(records, granted.id)).toBe('revoked');
    expect(records.find((r) => r.type === 'target_retired' && r.target === 'cache-old')?.detail).toMatchObject({
      how: 'removed',
    });
    expect(await revokedAtBastion(granted.certificate)).toBe(true);
    expect(await (await bot.command('U0ERIN', 'request cache-old 1h please')).reply()).toContain(
      'cache-old was retired on',
    );

    const { stdout } = await run(
      path.join(REPO, 'node_modules/.bin/tsx'),
      [path.join(REPO, 'src/access-report-cli.ts'), 'cache-old', '--since', '90d', '--format', 'json'],
      { env: { ...process.env, REDIS_URL: inject('redisUrl'), JUMPGATE_PREFIX: bot.prefix } },
    );
    const rows = JSON.parse(stdout) as AccessRow[];
    const trail = (await audit()).filter((r) => r.requestId === granted.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      requestId: granted.id,
      holder: 'U0ALICE',
      approvedBy: ['U0LEAD'],
      grantedAt: trail.find((r) => r.type === 'granted')?.at,
      ended: 'revoked',
      endedAt: trail.find((r) => r.type === 'revoked')?.at,
      endedBy: 'jumpgate',
      reason: 'lifecycle test',
    });
    const csv = await run(
      path.join(REPO, 'node_modules/.bin/tsx'),
      [path.join(REPO, 'src/access-report-cli.ts'), 'cache-old', '--format', 'csv'],
      { env: { ...process.env, REDIS_URL: inject('redisUrl'), JUMPGATE_PREFIX: bot.prefix } },
    );
    expect(csv.stdout.trim().split('\n')).toHaveLength(2);
    expect(csv.stdout).toContain(granted.id);
    const text = await run(
      path.join(REPO, 'node_modules/.bin/tsx'),
      [path.join(REPO, 'src/access-report-cli.ts'), 'cache-old'],
      { env: { ...process.env, REDIS_URL: inject('redisUrl'), JUMPGATE_PREFIX: bot.prefix } },
    );
    expect(text.stdout).toContain('Access to cache-old: 1 grant');
    expect(text.stdout).toContain('U0ALICE  standard  approved by U0LEAD');
    expect(text.stdout).toContain('revoked');
    // Three CLI processes (tsx compiles on start): seconds each on a loaded machine.
  }, 90_000);
});

describe('two replicas', () => {
  it('both reload the changed files; one policy_changed is written between them', async () => {
    const replica = await bot.addReplica();
    const replicaBase = `http://127.0.0.1:${replica.port}`;
    expect(await readyHash(replicaBase)).toBe(await readyHash());
    await writeFile(path.join(workflowsDir, 'extra.yml'), workflow('extra', ['new-box', 'new-box-2'], 'C0EXTRA'));
    const hash = await waitFor('both reloads', async () => {
      const [a, b] = [await readyHash(), await readyHash(replicaBase)];
      const changed = (await audit()).some((r) => r.type === 'policy_changed' && r.detail.hash === a);
      return a === b && changed ? a : undefined;
    });
    expect((await audit()).filter((r) => r.type === 'policy_changed' && r.detail.hash === hash)).toHaveLength(1);
  });
});

describe('people who leave', () => {
  it('a signed user_change with deleted: true ends their grants and requests and deletes their key', async () => {
    const granted = await grantFor('U0DAVE', 'svc-1');
    const pending = await request('U0DAVE', 'svc-2');
    bot.slack.setUser({ id: 'U0DAVE', email: 'dave@example.com', deleted: true });
    const body = JSON.stringify({
      token: 'unused',
      team_id: 'T0TEAM',
      api_app_id: 'A0JUMPGATE',
      type: 'event_callback',
      event_id: 'Ev0USERCHANGE',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'user_change',
        user: { id: 'U0DAVE', deleted: true, name: 'dave' },
        event_ts: `${Date.now() / 1000}`,
      },
    });
    const res = await bot.post(body, { ...signedRequest(SIGNING_SECRET, body), 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const offboarded = await waitFor('the offboarded record', async () =>
      (await audit()).find((r) => r.type === 'offboarded' && r.detail.userId === 'U0DAVE'),
    );
    expect(offboarded.detail).toMatchObject({ source: 'user_change', cancelled: [pending], sshKeyDeleted: true });
    const records = await audit();
    expect(statusOf(records, granted.id)).toBe('revoked');
    expect(statusOf(records, pending)).toBe('cancelled');
    expect(await revokedAtBastion(granted.certificate)).toBe(true);
    // The key is gone: a request needs one registered again.
    bot.slack.setUser({ id: 'U0DAVE', email: 'dave@example.com' });
    expect(await (await bot.command('U0DAVE', 'request app-1 1h again')).reply()).toContain('no SSH public key');
  });

  it('a forged user_change is refused with 401 and offboards nobody', async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      event: { type: 'user_change', user: { id: 'U0ALICE', deleted: true } },
    });
    const res = await bot.post(body, {
      'content-type': 'application/json',
      'x-slack-signature': `v0=${'ab'.repeat(32)}`,
      'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
    });
    expect(res.status).toBe(401);
    expect((await audit()).some((r) => r.type === 'offboarded' && r.detail.userId === 'U0ALICE')).toBe(false);
  });

  it('the periodic check catches a missed event: the directory says deleted, their grant ends', async () => {
    const granted = await grantFor('U0ERIN', 'app-1');
    bot.slack.setUser({ id: 'U0ERIN', email: 'erin@example.com', deleted: true });
    const offboarded = await waitFor('the periodic check', async () =>
      (await audit()).find((r) => r.type === 'offboarded' && r.detail.userId === 'U0ERIN'),
    );
    expect(offboarded.detail).toMatchObject({
      source: 'periodic_check',
      ended: [granted.id.replace('req_', 'grant_')],
    });
    expect(statusOf(await audit(), granted.id)).toBe('revoked');
    expect(await revokedAtBastion(granted.certificate)).toBe(true);
  });
});
