import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessRequest, type GrantRecord, grantIdFor } from '../../src/domain/access-request.js';
import type { Store } from '../../src/service/ports/store.js';
import { serviceHarness } from '../integration/service/service-harness.js';
import { HOUR, MINUTE, policy, workflow } from '../support/policy-builders.js';

/*
 * The attack: someone who can write the bot's Redis stores an `approved` request of their own
 * making (the request hash plus its id in the status index: one HSET and one SADD) and waits
 * for the reconciliation sweep, which issues every approved request it finds. Before the grant
 * check this minted a certificate for `root`, valid 7 days, and DMed it. Each test forges one
 * record and runs the real sweep against real Redis and the real embedded broker.
 */

const run = promisify(execFile);
const DAY = 24 * HOUR;

const POLICY = policy(
  workflow({
    name: 'production',
    targets: [{ name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] }],
    breakglass: { notifyChannel: 'C0SECURITY' },
  }),
  workflow({
    name: 'noglass',
    targets: [{ name: 'web', hosts: ['web-1.internal'], principals: ['deploy'] }],
    breakglass: null,
  }),
);

let h: Awaited<ReturnType<typeof serviceHarness>>;
let malloryKey: string;
beforeAll(async () => {
  h = await serviceHarness('forged', POLICY, { S0SRE: ['U0SRE1'] });
  await h.service.registerKey({ userId: 'U0ALICE', text: h.alicePublicKey });
  const keyFile = path.join(h.dir, 'mallory');
  await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', 'mallory@box', '-f', keyFile]);
  malloryKey = (await readFile(`${keyFile}.pub`, 'utf8')).trim();
});
afterAll(() => h.close());

let forged = 0;

const ROOT = { check: 'principals', message: 'principals [root], where the policy gives [dbadmin]' };
const SEVEN_DAYS = { check: 'window', message: 'a window of 7d is longer than the maximum (4h)' };
const NONE_ELIGIBLE = { check: 'decision', message: '1 distinct eligible approvals are needed, 0 recorded' };
const NOT_ALICES_KEY = { check: 'key', message: 'the SSH key is not the one U0ALICE registered' };

/**
 * Writes an `approved` request straight into Redis, as an attacker would. It goes through the
 * store's own write so the test keeps working whatever the key layout is; what lands in Redis is
 * the same as the attacker's HSET + SADD (the audit record the store adds does not matter: the
 * sweep never reads it). Kept in this one place so a store change needs one edit here.
 */
async function writeForgedRecord(
  store: Store,
  overrides: Partial<AccessRequest> = {},
  grant: Partial<GrantRecord> = {},
): Promise<AccessRequest> {
  forged += 1;
  const id = `req_forged${forged}`;
  const at = h.clock.now;
  const record: AccessRequest = {
    id,
    kind: 'standard',
    status: 'approved',
    workflow: 'production',
    target: 'prod-db',
    requester: 'U0ALICE',
    sshPublicKey: h.alicePublicKey,
    durationMs: 7 * DAY,
    reason: 'maintenance',
    createdAt: at,
    updatedAt: at,
    approvalsRequired: 1,
    // A real approver's name, as an attacker who read the workflow files would write it.
    approvals: [{ userId: 'U0LEAD', at }],
    version: 1,
    ...overrides,
    grant: {
      id: grantIdFor(id),
      notBefore: at,
      notAfter: at + 7 * DAY,
      principals: ['root'],
      hosts: ['db-1.internal'],
      ...grant,
    },
  };
  await store.create(record, { type: 'requested', requestId: id, actor: 'U0ALICE', target: record.target, detail: {} });
  return record;
}

/** A 30-minute window for prod-db's own principals: only the field a variant is about is wrong. */
function withinPolicy(): Partial<GrantRecord> {
  return { notBefore: h.clock.now, notAfter: h.clock.now + 30 * MINUTE, principals: ['dbadmin'] };
}

/** Runs the sweep the way the bot does, once the forged record looks like an interrupted grant. */
async function sweep(): Promise<void> {
  h.clock.now += MINUTE;
  await h.service.reconcile();
}

/** Nothing issued, the request failed, its audit record and the alert both naming `mismatch`. */
async function expectRefused(record: AccessRequest, channel: string, mismatch: { check: string; message: string }) {
  const atBroker = await h.realBroker.listActive();
  expect(atBroker.filter((grant) => grant.id === record.grant!.id)).toEqual([]);
  const certificateDMs = h.notifier.told.filter((t) => t.notice.type === 'granted');
  expect(certificateDMs.filter((t) => t.notice.view.request.id === record.id)).toEqual([]);

  const stored = await h.store.get(record.id);
  expect(stored?.status).toBe('failed');
  expect(stored?.failure?.code).toBe('grant_policy_mismatch');
  expect(stored?.grant?.certificate).toBeUndefined();

  const audit = (await h.store.forRequest(record.id)).filter((r) => r.type === 'grant_failed');
  expect(audit).toHaveLength(1);
  const mismatches = (audit[0]!.detail as { mismatches: { check: string; message: string }[] }).mismatches;
  expect(mismatches).toContainEqual(mismatch);

  const alerts = h.notifier.alerts.filter((a) => a.requestId === record.id);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]!.channel).toBe(channel);
  expect(alerts[0]!.text).toMatch(/^a grant did not match policy: /);
  expect(alerts[0]!.text).toContain(mismatch.message);
}

describe('a forged Redis record cannot mint a certificate', () => {
  it('a forged Redis record cannot mint a root certificate valid for 7 days', async () => {
    const record = await writeForgedRecord(h.store);
    await sweep();
    await expectRefused(record, 'C0SECURITY', ROOT);
    await expectRefused(record, 'C0SECURITY', SEVEN_DAYS);
  });

  it('a forged record is refused when issued directly too, and the sweep does not retry it', async () => {
    const record = await writeForgedRecord(h.store);
    await h.service.issueGrant(record.id);
    await sweep();
    await expectRefused(record, 'C0SECURITY', ROOT);
  });

  it('forged approvals by people who are not approvers do not count', async () => {
    const at = h.clock.now;
    const approvals = [
      { userId: 'U0MALLORY', at },
      { userId: 'U0EVE', at },
    ];
    const record = await writeForgedRecord(h.store, { durationMs: 30 * MINUTE, approvals }, withinPolicy());
    await sweep();
    await expectRefused(record, 'C0SECURITY', { check: 'decision', message: 'U0MALLORY is not an eligible approver' });
    await expectRefused(record, 'C0SECURITY', NONE_ELIGIBLE);
  });

  it('a forged breakglass on a workflow that does not allow breakglass is refused', async () => {
    const record = await writeForgedRecord(
      h.store,
      {
        kind: 'breakglass',
        workflow: 'noglass',
        target: 'web',
        approvalsRequired: 0,
        approvals: [],
        review: { dueAt: h.clock.now + DAY },
      },
      { ...withinPolicy(), principals: ['deploy'], hosts: ['web-1.internal'] },
    );
    await sweep();
    // noglass has no breakglass channel: its approval channel is told.
    await expectRefused(record, 'C0APPROVALS', { check: 'kind', message: 'noglass does not allow breakglass' });
  });

  it('a key that is not the requester’s registered key gets no certificate', async () => {
    const overrides = { sshPublicKey: malloryKey, durationMs: 30 * MINUTE };
    const record = await writeForgedRecord(h.store, overrides, withinPolicy());
    await sweep();
    await expectRefused(record, 'C0SECURITY', NOT_ALICES_KEY);
  });

  it('a request the bot approved itself is still granted', async () => {
    const asked = { requester: 'U0ALICE', target: 'prod-db', duration: '30m', reason: 'fix it' };
    const { request } = await h.service.requestAccess(asked);
    const outcome = await h.service.approveRequest({ requestId: request.id, userId: 'U0SRE1' });
    expect(outcome.request.status).toBe('active');
    expect((await h.realBroker.listActive()).some((grant) => grant.id === outcome.request.grant?.id)).toBe(true);
    expect(h.notifier.alerts.filter((a) => a.requestId === request.id)).toEqual([]);
  });
});
