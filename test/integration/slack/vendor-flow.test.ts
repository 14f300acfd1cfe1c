import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../../src/service/ports/audit.js';
import { plainTextValue } from '../../support/slack-signing.js';
import { fingerprint, readCertificate } from '../broker/harness.js';
import { sshKey, startBot } from './bot-harness.js';

const WORKFLOWS = {
  'vendor-support': `
name: vendor-support
targets:
  - name: vendor-gw
    hosts: [gw-1.internal]
    principals: [support]
access:
  channel: C0VENDORACCESS
  approvers: { users: [U0LEAD] }
  max_duration: 4h
vendor:
  allowed: true
  sponsors: { groups: [S0VENDORMGR] }
  approvers: { users: [U0SEC1, U0SEC2, U0ALICE] }
  approvals_required: 2
  max_duration: 2h
  principals: [vendor]
  allow_pty: false
`,
  ticketed: `
name: ticketed
targets:
  - name: vendor-db
    hosts: [vdb-1.internal]
    principals: [dba]
access:
  channel: C0VENDORACCESS
  approvers: { users: [U0SEC1, U0SEC2] }
  max_duration: 4h
  ticket_pattern: '^CHG-[0-9]+$'
vendor:
  allowed: true
  sponsors: { groups: [S0VENDORMGR] }
  approvals_required: 2
  max_duration: 2h
  principals: [vendor]
`,
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
`,
};

const USERS = ['U0ALICE', 'U0LEAD', 'U0SEC1', 'U0SEC2', 'U0RANDOM'].map((id) => ({
  id,
  email: `${id.slice(2).toLowerCase()}@example.com`,
}));

let bot: Awaited<ReturnType<typeof startBot>>;
let aliceKey: string;
let vendorKey: string;

beforeAll(async () => {
  bot = await startBot({
    label: 'slack-vendor',
    workflows: WORKFLOWS,
    users: USERS,
    groups: { S0VENDORMGR: ['U0ALICE'] },
  });
  aliceKey = await sshKey(bot.dir, 'alice');
  vendorKey = await sshKey(bot.dir, 'jane');
  expect(await (await bot.command('U0ALICE', `key ${aliceKey}`)).reply()).toContain('SHA256:');
});
afterAll(() => bot.stop());

const COMMAND = 'vendor jane@acme.example vendor-gw 1h upgrade the appliance firmware';

function says(reply: string, sentence: string): void {
  expect(reply.toLowerCase()).toContain(sentence.toLowerCase());
}

/** The DMs a person received, as text and blocks. */
function dms(userId: string): string[] {
  return bot.slack
    .calls('chat.postMessage')
    .filter((call) => call.args.channel === userId)
    .map((call) => JSON.stringify({ text: call.args.text, blocks: call.args.blocks }));
}

async function auditOf(id: string): Promise<AuditRecord[]> {
  const lines = (await readFile(bot.auditFile, 'utf8')).trim().split('\n');
  return lines.map((line) => JSON.parse(line) as AuditRecord).filter((record) => record.requestId === id);
}

/** `/jump vendor …` as `userId`: the vendor modal Slack was asked to open, with its private_metadata. */
async function openVendorModal(userId: string, text = COMMAND): Promise<{ metadata: string; view: string }> {
  const before = bot.slack.calls('views.open').length;
  const sent = await bot.command(userId, text);
  expect(sent.status).toBe(200);
  await vi.waitFor(() => expect(bot.slack.calls('views.open').length).toBeGreaterThan(before), { timeout: 10_000 });
  const opened = bot.slack.calls('views.open').at(-1)!;
  const view = opened.args.view as { callback_id: string; private_metadata: string };
  expect(view.callback_id).toBe('jump_vendor_modal');
  return { metadata: view.private_metadata, view: JSON.stringify(view) };
}

function submitVendor(userId: string, metadata: string, name: string, key: string): Promise<Response> {
  return bot.submitView({
    userId,
    callbackId: 'jump_vendor_modal',
    privateMetadata: metadata,
    values: {
      jump_vendor_name: { name: plainTextValue(name) },
      jump_vendor_key: { key: plainTextValue(key) },
    },
  });
}

/** The approval message of `id` as the channel shows it now (its post or its latest update). */
function approvalMessage(id: string): string {
  const versions = bot.slack
    .calls()
    .filter(
      (call) =>
        (call.method === 'chat.postMessage' || call.method === 'chat.update') &&
        call.args.channel === 'C0VENDORACCESS' &&
        JSON.stringify(call.args).includes(id),
    );
  return JSON.stringify(versions.at(-1)?.args ?? {});
}

async function approvalShows(id: string, text: string): Promise<string> {
  await vi.waitFor(() => expect(approvalMessage(id)).toContain(text), { timeout: 15_000 });
  return approvalMessage(id);
}

describe('refusals before the modal opens', () => {
  it('refuses a non-sponsor, naming who may sponsor', async () => {
    const reply = await (await bot.command('U0RANDOM', COMMAND)).reply();
    says(reply, 'you are not a vendor sponsor for vendor-gw');
    expect(reply).toContain('<!subteam^S0VENDORMGR>');
  });

  it('refuses a duration over the vendor maximum, saying the maximum', async () => {
    const reply = await (await bot.command('U0ALICE', 'vendor jane@acme.example vendor-gw 3h long job')).reply();
    says(reply, '3h is longer than the vendor session maximum for vendor-gw (2h)');
  });

  it('refuses a target whose workflow does not allow vendors', async () => {
    const reply = await (await bot.command('U0ALICE', 'vendor jane@acme.example prod-db 1h look')).reply();
    says(reply, 'vendor sessions are not allowed on prod-db');
  });

  it('refuses what is not an email', async () => {
    const reply = await (await bot.command('U0ALICE', 'vendor jane-at-acme vendor-gw 1h look')).reply();
    says(reply, 'is not an email address');
  });
});

describe('a vendor session over Slack', () => {
  it('modal → two approvals (never the sponsor) → the vendor’s certificate to the sponsor → the sponsor ends it', async () => {
    const { metadata, view } = await openVendorModal('U0ALICE');
    expect(view).toContain('no port, agent or X11 forwarding');

    // A private key pasted by mistake, and the sponsor's own key, are refused on the key field.
    const privateKey = await readFile(path.join(bot.dir, 'jane'), 'utf8');
    const pasted = await submitVendor('U0ALICE', metadata, 'Jane Doe, Acme', privateKey);
    const pastedBody = (await pasted.json()) as { response_action: string; errors: Record<string, string> };
    expect(pastedBody.response_action).toBe('errors');
    expect(pastedBody.errors.jump_vendor_key).toContain('PRIVATE key');
    const own = (await (await submitVendor('U0ALICE', metadata, 'Jane', aliceKey)).json()) as {
      errors: Record<string, string>;
    };
    expect(own.errors.jump_vendor_key).toContain('your own registered SSH key');
    const unnamed = (await (await submitVendor('U0ALICE', metadata, '  ', vendorKey)).json()) as {
      errors: Record<string, string>;
    };
    expect(Object.keys(unnamed.errors)).toEqual(['jump_vendor_name']);

    const accepted = await submitVendor('U0ALICE', metadata, 'Jane <Doe> & Acme', vendorKey);
    expect(accepted.status).toBe(200);
    await vi.waitFor(() => expect(dms('U0ALICE').some((dm) => dm.includes('Vendor session request'))).toBe(true), {
      timeout: 10_000,
    });
    const sent = dms('U0ALICE').find((dm) => dm.includes('Vendor session request'))!;
    const id = /req_[a-z0-9]+/.exec(sent)![0];
    expect(sent).toContain('cannot approve it yourself');

    const posted = await approvalShows(id, 'Vendor session request');
    expect(posted).toContain('Jane &lt;Doe&gt; &amp; Acme &lt;jane@acme.example&gt;');
    expect(posted).toContain('Sponsor');
    expect(posted).toContain('0 of 2');

    says(await (await bot.click('U0ALICE', 'jump_approve', id)).reply(), 'you cannot approve your own request');
    says(await (await bot.click('U0LEAD', 'jump_approve', id)).reply(), 'you are not an approver');
    await (await bot.click('U0SEC1', 'jump_approve', id)).reply();
    await approvalShows(id, '1 of 2');
    await (await bot.click('U0SEC2', 'jump_approve', id)).reply();
    await approvalShows(id, 'Active until');

    await vi.waitFor(() => expect(dms('U0ALICE').some((dm) => dm.includes('-cert-v01@openssh.com'))).toBe(true), {
      timeout: 10_000,
    });
    const granted = dms('U0ALICE').find((dm) => dm.includes('-cert-v01@openssh.com'))!;
    expect(granted).toContain('Vendor session for Jane');
    const certificate = /ssh-ed25519-cert-v01@openssh\.com [A-Za-z0-9+/=]+/.exec(granted)![0];
    const grantId = id.replace('req_', 'grant_');
    const cert = await readCertificate(certificate);
    expect(cert.keyId).toBe(`${grantId} vendor=jane@acme.example sponsor=U0ALICE`);
    expect(cert.principals).toEqual(['vendor']);
    expect(cert.extensions).toEqual([]);
    expect(cert.criticalOptions).toEqual([]);
    expect(cert.publicKey).toContain(await fingerprint(vendorKey));
    expect(cert.publicKey).not.toContain(await fingerprint(aliceKey));

    const listed = await bot.command('U0ALICE', 'list');
    await listed.reply();
    expect(JSON.stringify(bot.slack.responses(listed.responseId))).toContain(
      '*vendor-gw* (vendor session for Jane &lt;Doe&gt; &amp; Acme &lt;jane@acme.example&gt;)',
    );

    const revoked = await (await bot.command('U0ALICE', `revoke ${grantId}`)).reply();
    says(revoked, `Revoked \`${grantId}\` (vendor-gw, the vendor session of Jane`);
    expect(await approvalShows(id, 'Revoked')).toContain('<@U0ALICE>');
    await vi.waitFor(
      () => expect(dms('U0ALICE').some((dm) => dm.includes('You ended the vendor session of Jane'))).toBe(true),
      {
        timeout: 10_000,
      },
    );

    await vi.waitFor(
      async () =>
        expect((await auditOf(id)).map((r) => r.type)).toEqual([
          'requested',
          'approved',
          'approved',
          'granted',
          'revoked',
        ]),
      { timeout: 5_000 },
    );
    for (const record of await auditOf(id)) {
      expect(record.detail.subject).toEqual({
        type: 'vendor',
        email: 'jane@acme.example',
        name: 'Jane <Doe> & Acme',
        sponsor: 'U0ALICE',
      });
    }
  });
});

describe('a workflow that needs a ticket', () => {
  it('asks for it in the form and refuses a wrong one under the field', async () => {
    const { metadata, view } = await openVendorModal(
      'U0ALICE',
      'vendor jane@acme.example vendor-db 1h tune the database',
    );
    expect(view).toContain('jump_vendor_ticket');
    const submit = (ticket: string) =>
      bot.submitView({
        userId: 'U0ALICE',
        callbackId: 'jump_vendor_modal',
        privateMetadata: metadata,
        values: {
          jump_vendor_name: { name: plainTextValue('Jane') },
          jump_vendor_key: { key: plainTextValue(vendorKey) },
          jump_vendor_ticket: { ticket: plainTextValue(ticket) },
        },
      });
    const wrong = (await (await submit('JIRA-1')).json()) as { errors: Record<string, string> };
    expect(wrong.errors).toEqual({ jump_vendor_ticket: '"JIRA-1" does not match ^CHG-[0-9]+$.' });
    expect((await submit('CHG-812')).status).toBe(200);
    await vi.waitFor(
      () =>
        expect(
          dms('U0ALICE').some((dm) => dm.includes('on *vendor-db*') && dm.includes('Vendor session request')),
        ).toBe(true),
      { timeout: 10_000 },
    );
  });
});
