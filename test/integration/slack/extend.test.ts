import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { AuditRecord } from '../../../src/service/ports/audit.js';
import { type FakePagerDuty, startFakePagerDuty } from '../../support/fake-pagerduty.js';
import type { SlackCall } from '../../support/fake-slack.js';
import { blockActionPayload, interactionBody, signedRequest } from '../../support/slack-signing.js';
import { readCertificate } from '../broker/harness.js';
import { SIGNING_SECRET, sshKey, startBot } from './bot-harness.js';

const run = promisify(execFile);

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
  request_timeout: 30m
extend:
  allowed: true
  max_total: 4h
  auto_within: 2h
`,
  ops: `
name: ops
targets:
  - name: ops-db
    hosts: [ops-1.internal]
    principals: [ops]
access:
  channel: C0OPS
  approvers: { users: [U0LEAD] }
  max_duration: 4h
  auto_approve:
    pagerduty:
      escalation_policies: [PESC1]
      services: [PSVC1]
      max_duration: 1h
      end_with_incident: true
extend:
  allowed: true
  max_total: 3h
  auto_within: 1h
`,
};

let pd: FakePagerDuty;
let bot: Awaited<ReturnType<typeof startBot>>;
let expireQueue: Queue;
const redis = new Redis(inject('redisUrl'));

beforeAll(async () => {
  pd = await startFakePagerDuty({ token: 'pd-test-token' });
  bot = await startBot({
    label: 'extend',
    workflows: WORKFLOWS,
    users: [
      { id: 'U0ALICE', email: 'alice@example.com' },
      { id: 'U0LEAD', email: 'lead@example.com' },
      { id: 'U0BOB' },
    ],
    env: { PAGERDUTY_TOKEN: 'pd-test-token', PAGERDUTY_API_URL: pd.url, PAGERDUTY_FROM: 'jumpgate@example.com' },
    // The incident watch would revoke an incident-bound grant once its incident is resolved; these
    // tests look at the extension refused after that, so the watch stays out of the way.
    tuning: { incidentWatchEveryMs: 3_600_000, pagerDutyCacheTtlMs: 0 },
  });
  expireQueue = new Queue('expire', { connection: { url: inject('redisUrl') }, prefix: bot.prefix });
  await (await bot.command('U0ALICE', `key ${await sshKey(bot.dir, 'alice')}`)).reply();
});
afterAll(async () => {
  await expireQueue.close();
  await bot.stop();
  await pd.close();
  await redis.quit();
});
beforeEach(() => {
  pd.reset();
  pd.setUsers([{ id: 'PUALICE', email: 'alice@example.com', name: 'Alice' }]);
  pd.setOnCalls([{ userId: 'PUALICE', escalationPolicyId: 'PESC1', level: 1 }]);
  pd.setIncidents([{ id: 'PINC9', number: 9, title: 'ops-db down', status: 'triggered', serviceId: 'PSVC1' }]);
});

const json = (call: SlackCall) => JSON.stringify(call.args);
const idIn = (text: string) => /req_[a-z0-9]+/.exec(text)?.[0] ?? '';
const grantOf = (id: string, window = 1) => `${id.replace('req_', 'grant_')}${window > 1 ? `_${window}` : ''}`;

async function auditOf(id: string): Promise<AuditRecord[]> {
  return (await redis.lrange(`${bot.prefix}:audit`, 0, -1))
    .map((line) => JSON.parse(line) as AuditRecord)
    .filter((record) => record.requestId === id);
}

/** The certificate DM for `grantId` (the grant's first window, or an extension's). */
async function certificateFor(grantId: string): Promise<string> {
  const dm = await bot.slack.waitFor(
    'chat.postMessage',
    (call) =>
      call.args.channel === 'U0ALICE' &&
      json(call).includes('cert-v01@openssh.com') &&
      json(call).includes(`Grant \`${grantId}\``),
    10_000,
  );
  const certificate = /(ssh-ed25519-cert-v01@openssh\.com \S+)/.exec(json(dm).replace(/\\n/g, '\n'))?.[1];
  if (!certificate) throw new Error(`no certificate in the DM for ${grantId}`);
  return certificate.replace(/`+$/, '');
}

/** `ssh-keygen -Q` against the KRL the bot serves to bastions. */
async function inKrl(certificate: string): Promise<boolean> {
  const krl = Buffer.from(await (await fetch(`${bot.base}/v1/krl`)).arrayBuffer());
  const krlFile = path.join(bot.dir, 'e2e.krl');
  const certFile = path.join(bot.dir, 'e2e-cert.pub');
  await writeFile(krlFile, krl);
  await writeFile(certFile, `${certificate}\n`);
  try {
    await run('ssh-keygen', ['-Q', '-f', krlFile, certFile]);
    return false;
  } catch (error) {
    if ((error as { stdout?: string }).stdout?.includes('REVOKED')) return true;
    throw error;
  }
}

const endOf = async (certificate: string) => new Date(`${(await readCertificate(certificate)).validTo}Z`).getTime();

/** The revocation jobs BullMQ holds for a request. */
async function expireJobs(id: string) {
  const jobs = await expireQueue.getJobs(['delayed', 'waiting', 'active']);
  return jobs.filter((job) => (job.data as { requestId?: string }).requestId === id);
}

/** A 30m standard grant on prod-db, approved by U0LEAD, with its certificate. */
async function approvedGrant(duration = '30m'): Promise<{ id: string; certificate: string }> {
  const id = idIn(await (await bot.command('U0ALICE', `request prod-db ${duration} fix replication`)).reply());
  await bot.slack.waitFor('chat.postMessage', (call) => call.args.channel === 'C0APPROVALS' && json(call).includes(id));
  await (await bot.click('U0LEAD', 'jump_approve', id)).reply();
  return { id, certificate: await certificateFor(grantOf(id)) };
}

/** A click on App Home: Slack sends it with a view container and no response_url. */
async function clickOnHome(userId: string, actionId: string, value: string): Promise<number> {
  const payload = blockActionPayload({ userId, actionId, value, responseUrl: '' });
  const { message: _message, channel: _channel, response_url: _url, ...rest } = payload;
  const body = interactionBody({ ...rest, container: { type: 'view', view_id: 'V0HOME' } });
  return (await bot.signedPost(body)).status;
}

async function openHome(userId: string): Promise<void> {
  const body = JSON.stringify({
    token: 'verification-token-unused',
    team_id: 'T0TEAM',
    api_app_id: 'A0JUMPGATE',
    type: 'event_callback',
    event_id: `Ev0HOME${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user: userId, channel: 'D0ALICE', tab: 'home', event_ts: '1.000100' },
  });
  const res = await fetch(`${bot.base}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedRequest(SIGNING_SECRET, body) },
    body,
  });
  expect(res.status).toBe(200);
}

describe('/jump extend within auto_within', () => {
  it('issues a new certificate for the new window, leaves one revocation job, and puts the old serial in the KRL', async () => {
    const { id, certificate: first } = await approvedGrant();
    const firstEnd = await endOf(first);
    expect(await expireJobs(id)).toHaveLength(1);

    const reply = await (await bot.command('U0ALICE', `extend ${grantOf(id)} 30m`)).reply();
    expect(reply).toContain(`Extended your access to *prod-db* by +30m`);
    expect(reply).toContain(grantOf(id, 2));

    const second = await certificateFor(grantOf(id, 2));
    const info = await readCertificate(second);
    expect(info.keyId).toContain(grantOf(id, 2));
    expect(info.principals).toEqual(['dbadmin']);
    expect((await endOf(second)) - firstEnd).toBe(30 * 60_000);

    const jobs = await expireJobs(id);
    expect(jobs).toHaveLength(1);
    expect((jobs[0]?.timestamp ?? 0) + (jobs[0]?.delay ?? 0)).toBeGreaterThan(firstEnd + 29 * 60_000);
    expect(await inKrl(first)).toBe(true);
    expect(await inKrl(second)).toBe(false);

    // The approval message shows the new end; the audit trail has one `extended` with both ends.
    await bot.slack.waitFor('chat.update', (call) => json(call).includes(id) && json(call).includes('Extended'));
    const extended = (await auditOf(id)).filter((record) => record.type === 'extended');
    expect(extended).toHaveLength(1);
    expect(extended[0]?.detail).toMatchObject({ how: 'auto', previousGrantId: grantOf(id) });
    expect(Number(extended[0]?.detail.newNotAfter) - Number(extended[0]?.detail.oldNotAfter)).toBe(30 * 60_000);
  }, 30_000);
});

describe('an extension that needs approval', () => {
  it('is asked in the approval message’s thread with the original approvals; Approve issues the new window', async () => {
    const { id } = await approvedGrant('1h');
    const reply = await (await bot.command('U0ALICE', `extend ${grantOf(id)} 2h`)).reply();
    expect(reply).toContain('<@U0LEAD> is asked');

    const thread = await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'C0APPROVALS' && call.args.thread_ts !== undefined && json(call).includes('+2h'),
    );
    expect(String(thread.args.reply_broadcast)).toBe('true');
    const updated = await bot.slack.waitFor(
      'chat.update',
      (call) => json(call).includes(id) && json(call).includes('jump_extension_approve'),
    );
    expect(json(updated)).toContain('Extension asked');
    expect(json(updated)).toContain('1 of 1: <@U0LEAD>'); // the original approvals

    const refused = await bot.click('U0ALICE', 'jump_extension_approve', `${id} 2`);
    expect(await refused.reply()).toMatch(/cannot approve your own request/i);
    const click = await bot.click('U0LEAD', 'jump_extension_approve', `${id} 2`);
    expect(await click.reply()).toContain('You approved the extension');
    const dm = await certificateFor(grantOf(id, 2));
    expect((await readCertificate(dm)).keyId).toContain(grantOf(id, 2));
    expect((await auditOf(id)).map((record) => record.type)).toEqual([
      'requested',
      'approved',
      'granted',
      'extension_requested',
      'extended',
    ]);
    expect(await expireJobs(id)).toHaveLength(1);
  }, 30_000);

  it('is refused past max_total, saying what is allowed and what is used', async () => {
    const { id } = await approvedGrant('3h30m');
    const reply = await (await bot.command('U0ALICE', `extend ${grantOf(id)} 1h`)).reply();
    expect(reply).toContain('at most 4h in all; 3h30m used, so it can be extended by at most 30m');
  }, 20_000);
});

describe('a grant that ends with its incident', () => {
  it('is extended at once while the incident is open, and refused once it is resolved', async () => {
    const id = idIn(await (await bot.command('U0ALICE', 'request ops-db 1h ops-db is down')).reply());
    await certificateFor(grantOf(id));
    const reply = await (await bot.command('U0ALICE', `extend ${grantOf(id)} 1h`)).reply();
    expect(reply).toContain('by +1h');
    const second = await certificateFor(grantOf(id, 2));
    expect((await readCertificate(second)).principals).toEqual(['ops']);

    pd.resolve('PINC9');
    const refused = await (await bot.command('U0ALICE', `extend ${grantOf(id, 2)} 30m`)).reply();
    expect(refused).toContain('incident #9, which is resolved');
  }, 30_000);
});

describe('I’m done', () => {
  it('from the expiry warning DM ends the grant now, like /jump revoke', async () => {
    // A 10 s grant: its warning comes at 8 s; waiting for that real warning is what this test is for.
    const { id, certificate } = await approvedGrant('10s');
    const warning = await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'U0ALICE' && json(call).includes('ends in') && json(call).includes('jump_done'),
      15_000,
    );
    expect(json(warning)).toContain('jump_extend_1800000');
    const click = await bot.click('U0ALICE', 'jump_done', grantOf(id));
    expect(await click.reply()).toContain('Revoked');
    expect(await inKrl(certificate)).toBe(true);
    await bot.slack.waitFor('chat.update', (call) => json(call).includes(id) && json(call).includes('Revoked by'));
    expect((await auditOf(id)).map((record) => [record.type, record.actor])).toContainEqual(['revoked', 'U0ALICE']);
  }, 30_000);

  it('from App Home ends the grant and renders the tab again', async () => {
    const { id, certificate } = await approvedGrant();
    await openHome('U0ALICE');
    const home = await bot.slack.waitFor(
      'views.publish',
      (call) => json(call).includes(grantOf(id)) && json(call).includes('jump_done'),
    );
    expect(json(home)).toContain('jump_extend_3600000');
    const published = bot.slack.calls('views.publish').length;
    expect(await clickOnHome('U0ALICE', 'jump_done', grantOf(id))).toBe(200);
    await bot.slack.waitFor(
      'views.publish',
      (call) => bot.slack.calls('views.publish').indexOf(call) >= published && !json(call).includes(grantOf(id)),
    );
    expect(await inKrl(certificate)).toBe(true);
    await bot.slack.waitFor('chat.update', (call) => json(call).includes(id) && json(call).includes('Revoked by'));
  }, 30_000);
});

describe('/jump extend bad input', () => {
  it.each([
    ['extend', '/jump extend needs a grant id and a duration: /jump extend &lt;grant-id&gt; &lt;duration&gt;'],
    ['extend grant_abcd', '/jump extend needs a duration after the grant id'],
    ['extend grant_abcd 30', '"30" is not a duration (use 90s, 30m, 2h, 1h30m, 1d)'],
    ['extend grant_abcd 30m now', 'takes only a grant id and a duration, but "now" followed'],
    ['extend grant_nosuch 30m', 'You hold no grant grant_nosuch (see /jump list for yours)'],
  ])('/jump %s says what is wrong and what is allowed', async (text, expected) => {
    const reply = await (await bot.command('U0ALICE', text)).reply();
    expect(reply).toContain(expected);
  });

  it('someone else’s grant is not theirs to extend', async () => {
    const { id } = await approvedGrant();
    const reply = await (await bot.command('U0BOB', `extend ${grantOf(id)} 30m`)).reply();
    expect(reply).toContain(`You hold no grant ${grantOf(id)}`);
  }, 20_000);
});
