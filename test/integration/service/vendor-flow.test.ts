import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JumpgateError } from '../../../src/domain/errors.js';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { HOUR, policy, workflow } from '../../support/policy-builders.js';
import { fingerprint, readCertificate } from '../broker/harness.js';
import { serviceHarness } from './service-harness.js';

const run = promisify(execFile);

const POLICY = policy(
  workflow({
    name: 'vendor-support',
    targets: [{ name: 'vendor-gw', hosts: ['gw-1.internal'], principals: ['support'], sourceAddress: ['10.0.0.0/8'] }],
    access: { approvers: { users: ['U0LEAD', 'U0SEC1', 'U0SEC2'], groups: [] }, maxDuration: 4 * HOUR },
    vendor: {
      sponsors: { users: ['U0ALICE'], groups: ['S0VENDORMGR'] },
      approvers: { users: ['U0SEC1', 'U0SEC2', 'U0ALICE'], groups: [] },
      approvalsRequired: 2,
      maxDuration: 2 * HOUR,
      principals: ['vendor'],
      allowPty: false,
      sourceAddress: ['203.0.113.0/24'],
    },
  }),
  workflow({ name: 'production', targets: ['prod-db'], vendor: null }),
);

let h: Awaited<ReturnType<typeof serviceHarness>>;
let vendorKey: string;
beforeAll(async () => {
  h = await serviceHarness('vendor-flow', POLICY, { S0VENDORMGR: ['U0MGR'] });
  await h.service.registerKey({ userId: 'U0ALICE', text: h.alicePublicKey });
  const file = path.join(h.dir, 'vendor');
  await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', 'jane@acme', '-f', file]);
  vendorKey = (await readFile(`${file}.pub`, 'utf8')).trim();
});
afterAll(() => h.close());

async function rejection(promise: Promise<unknown>): Promise<JumpgateError> {
  try {
    await promise;
  } catch (error) {
    return error as JumpgateError;
  }
  throw new Error('expected a rejection');
}

const COMMAND = {
  sponsor: 'U0ALICE',
  vendorEmail: 'jane@acme.example',
  target: 'vendor-gw',
  duration: '1h',
  reason: 'upgrade the appliance firmware',
};

function sponsorSession(overrides: Partial<typeof COMMAND & { sshPublicKey: string; vendorName: string }> = {}) {
  return h.service.requestVendorSession({
    ...COMMAND,
    vendorName: 'Jane Doe, Acme',
    sshPublicKey: vendorKey,
    ...overrides,
  });
}

describe('who may sponsor, for how long, where', () => {
  it('refuses a non-sponsor, saying who may sponsor', async () => {
    const error = await rejection(h.service.checkVendorSession({ ...COMMAND, sponsor: 'U0RANDOM' }));
    expect(error.code).toBe('not_a_sponsor');
    expect(error.message).toContain('you are not a vendor sponsor for vendor-gw');
    expect(error.details.sponsors).toEqual({ users: ['U0ALICE'], groups: ['S0VENDORMGR'] });
  });

  it('accepts a sponsor through a sponsor group', async () => {
    const plan = await h.service.checkVendorSession({ ...COMMAND, sponsor: 'U0MGR' });
    expect(plan).toMatchObject({ target: 'vendor-gw', durationMs: HOUR, principals: ['vendor'], approvalsRequired: 2 });
  });

  it('refuses a duration over vendor.max_duration, naming the maximum', async () => {
    const error = await rejection(h.service.checkVendorSession({ ...COMMAND, duration: '3h' }));
    expect(error.code).toBe('duration_over_max');
    expect(error.message).toBe('3h is longer than the vendor session maximum for vendor-gw (2h)');
  });

  it('refuses a target whose workflow does not allow vendors', async () => {
    const error = await rejection(h.service.checkVendorSession({ ...COMMAND, target: 'prod-db' }));
    expect(error.code).toBe('vendor_not_allowed');
    expect(error.message).toContain('you may sponsor vendors on: vendor-gw');
  });

  it('refuses a bad email, a private key and the sponsor’s own key, recording nothing', async () => {
    expect((await rejection(h.service.checkVendorSession({ ...COMMAND, vendorEmail: 'jane at acme' }))).code).toBe(
      'invalid_email',
    );
    const privateKey = await readFile(path.join(h.dir, 'vendor'), 'utf8');
    const pasted = await rejection(sponsorSession({ sshPublicKey: privateKey }));
    expect(pasted.code).toBe('invalid_ssh_key');
    expect(pasted.message).toContain('PRIVATE key');
    const own = await rejection(sponsorSession({ sshPublicKey: h.alicePublicKey }));
    expect(own.code).toBe('invalid_ssh_key');
    expect(own.message).toContain('your own registered SSH key');
    expect(h.notifier.posted).toHaveLength(0);
  });
});

describe('a vendor session from request to end', () => {
  it('needs two vendor approvers, never the sponsor, and certifies the vendor’s key for the vendor principals', async () => {
    const { request, postedTo } = await sponsorSession();
    expect(postedTo).toBe('C0APPROVALS');
    expect(request).toMatchObject({
      kind: 'vendor',
      status: 'pending',
      requester: 'U0ALICE',
      approvalsRequired: 2,
      vendor: { email: 'jane@acme.example', name: 'Jane Doe, Acme' },
    });
    expect(h.scheduler.find('timeout', request.id)).toHaveLength(1);

    // The sponsor is a vendor approver too, and still may not approve their own vendor's session.
    const self = await rejection(h.service.approveRequest({ requestId: request.id, userId: 'U0ALICE' }));
    expect(self.code).toBe('self_approval');
    expect(
      (await rejection(h.service.approveRequest({ requestId: request.id, userId: 'U0LEAD' }))).code,
      'an access approver is not a vendor approver',
    ).toBe('not_an_approver');
    const first = await h.service.approveRequest({ requestId: request.id, userId: 'U0SEC1' });
    expect(first.complete).toBe(false);
    const second = await h.service.approveRequest({ requestId: request.id, userId: 'U0SEC2' });
    expect(second.complete).toBe(true);
    const active = second.request;
    expect(active.status).toBe('active');
    expect(active.grant?.principals).toEqual(['vendor']);

    const cert = await readCertificate(active.grant!.certificate!);
    expect(cert.keyId).toBe(`${active.grant!.id} vendor=jane@acme.example sponsor=U0ALICE`);
    expect(cert.principals).toEqual(['vendor']);
    expect(cert.extensions).toEqual([]);
    expect(cert.criticalOptions).toEqual(['source-address 203.0.113.0/24']);
    // The certificate is for the vendor's key, not the key the sponsor registered.
    expect(cert.publicKey).toContain(await fingerprint(vendorKey));
    expect(cert.publicKey).not.toContain(await fingerprint(h.alicePublicKey));

    const granted = h.notifier.told.find((t) => t.notice.type === 'granted' && t.notice.view.request.id === request.id);
    expect(granted?.userId).toBe('U0ALICE');

    const records = await h.store.forRequest(request.id);
    expect(records.map((r) => r.type)).toEqual(['requested', 'approved', 'approved', 'granted']);
    for (const record of records) {
      expect(record.detail.subject).toEqual({
        type: 'vendor',
        email: 'jane@acme.example',
        name: 'Jane Doe, Acme',
        sponsor: 'U0ALICE',
      });
    }
    expect(records[0]?.detail).toMatchObject({ kind: 'vendor', approvalsRequired: 2, incidentCheck: 'off' });

    // The sponsor ends it: revoked at the broker, the sponsor told.
    const ended = await h.service.revokeGrant({ grantId: active.grant!.id, userId: 'U0ALICE' });
    expect(ended.status).toBe('revoked');
    expect(await h.isRevokedAtBroker(active.grant!.certificate!)).toBe(true);
    expect(h.notifier.told.some((t) => t.userId === 'U0ALICE' && t.notice.type === 'ended')).toBe(true);
    const last = (await h.store.forRequest(request.id)).at(-1);
    expect(last).toMatchObject({ type: 'revoked', actor: 'U0ALICE', detail: { subject: { type: 'vendor' } } });
    expect(verifyChain(await h.store.range(1))).toBeUndefined();
  });

  it('sends the sponsor the expiry warning of the vendor session', async () => {
    const { request } = await sponsorSession();
    await h.service.approveRequest({ requestId: request.id, userId: 'U0SEC1' });
    await h.service.approveRequest({ requestId: request.id, userId: 'U0SEC2' });
    await h.service.warnExpiry(request.id);
    const warning = h.notifier.told.find(
      (t) => t.notice.type === 'expiring' && t.notice.view.request.id === request.id,
    );
    expect(warning?.userId).toBe('U0ALICE');
    expect(warning?.notice.view.request.vendor?.email).toBe('jane@acme.example');
  });
});

describe('a workflow that needs a ticket', () => {
  const TICKETED = policy(
    workflow({
      name: 'ticketed',
      targets: ['vendor-db'],
      access: { ticketPattern: '^CHG-[0-9]+$' },
      vendor: { sponsors: { users: ['U0ALICE'], groups: [] }, approvers: { users: ['U0SEC1', 'U0SEC2'], groups: [] } },
    }),
  );
  let t: Awaited<ReturnType<typeof serviceHarness>>;
  beforeAll(async () => {
    t = await serviceHarness('vendor-ticket', TICKETED);
  });
  afterAll(() => t.close());
  const command = { ...COMMAND, target: 'vendor-db' };

  it('asks for the ticket in the form when the reason holds none, and not when it does', async () => {
    expect((await t.service.checkVendorSession(command)).ticketPattern).toBe('^CHG-[0-9]+$');
    expect((await t.service.checkVendorSession({ ...command, ticket: 'CHG-9' })).ticketPattern).toBeUndefined();
    expect(
      (await t.service.checkVendorSession({ ...command, reason: 'firmware CHG-812' })).ticketPattern,
    ).toBeUndefined();
  });

  it('refuses a session without the ticket and records the one given', async () => {
    const session = { ...command, vendorName: 'Jane', sshPublicKey: vendorKey };
    expect((await rejection(t.service.requestVendorSession(session))).code).toBe('ticket_required');
    const { request } = await t.service.requestVendorSession({ ...session, ticket: 'CHG-812' });
    expect(request.ticket).toBe('CHG-812');
  });
});
