import { describe, expect, it } from 'vitest';
import { listMessage } from '../../../../src/slack/blocks/list-message.js';
import { accessRequest } from '../../../support/builders.js';
import { grant, MINUTE, T0, textsOf } from '../../../support/slack-builders.js';

describe('listMessage', () => {
  it('says there is nothing pending or active', () => {
    const message = listMessage([], T0);
    expect(message.text).toBe('You have nothing pending or active.');
    expect(textsOf(message.blocks)).toEqual([
      'You have nothing pending or active. Ask for access with `/jump request &lt;target&gt;`.',
    ]);
  });

  it('labels a vendor session with its vendor, escaped', () => {
    const vendor = accessRequest({
      id: 'req_vend',
      kind: 'vendor',
      target: 'vendor-gw',
      status: 'active',
      vendor: { email: 'jane@acme.example', name: 'Jane <Acme>' },
      grant: grant({ id: 'grant_vend' }),
    });
    expect(textsOf(listMessage([vendor], T0).blocks)[1]).toMatch(
      /^:large_green_circle: \*vendor-gw\* \(vendor session for Jane &lt;Acme&gt; &lt;jane@acme.example&gt;\) · active until/,
    );
  });

  it('shows each pending request and active grant with its id, status, target and end', () => {
    const pending = accessRequest({
      id: 'req_pend',
      target: 'prod-db',
      createdAt: T0,
      approvalsRequired: 2,
      approvals: [{ userId: 'U0LEAD', at: T0 }],
    });
    const active = accessRequest({
      id: 'req_live',
      target: 'staging-web',
      status: 'active',
      grant: grant({ id: 'grant_live' }),
    });
    const approved = accessRequest({
      id: 'req_appr',
      target: 'prod-cache',
      status: 'approved',
      grant: grant({ id: 'grant_appr' }),
    });
    const message = listMessage([pending, active, approved], T0 + 6 * MINUTE);
    expect(message.text).toBe('You have 3 pending or active requests.');
    expect(textsOf(message.blocks)).toEqual([
      '*Your pending requests and active grants* (3)',
      ':hourglass_flowing_sand: *prod-db* · pending (1 of 2 approvals) · 30m · `req_pend` · asked <!date^1800000000^{date_short_pretty} {time}|2027-01-15 08:00 UTC>',
      ':large_green_circle: *staging-web* · active until <!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC> (25m left) · `grant_live` · end it with `/jump revoke grant_live`',
      // No extension allowed here: only I'm done, with its confirmation.
      'I’m done',
      'End this access now?',
      'The certificate for staging-web stops working at once.',
      'End it',
      'Keep it',
      ':white_check_mark: *prod-cache* · approved, the certificate is being issued · `req_appr`',
    ]);
  });

  it('stays within Slack’s 50 blocks', () => {
    const many = Array.from({ length: 60 }, () => accessRequest());
    const message = listMessage(many, T0);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(textsOf(message.blocks).at(-1)).toBe('and 44 more');
  });

  it('stays within Slack’s 50 blocks when every grant shows its certificate', () => {
    const certificate = 'ssh-ed25519-cert-v01@openssh.com AAAA';
    const many = Array.from({ length: 60 }, (_, i) =>
      accessRequest({
        status: 'active',
        grant: {
          id: `grant_many${i}`,
          notBefore: T0,
          notAfter: T0 + 60 * MINUTE,
          principals: ['ops'],
          hosts: ['h'],
          serial: String(i),
          certificate,
        },
      }),
    );
    expect(listMessage(many, T0).blocks.length).toBeLessThanOrEqual(50);
  });
});

describe('listMessage certificates', () => {
  it('shows the certificate of an active grant again, for when its DM did not arrive', () => {
    const certificate = 'ssh-ed25519-cert-v01@openssh.com AAAAC3NzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t';
    const active = accessRequest({
      id: 'req_cert1',
      status: 'active',
      grant: {
        id: 'grant_cert1',
        notBefore: 0,
        notAfter: 3_600_000,
        principals: ['ops'],
        hosts: ['h'],
        serial: '1',
        certificate,
      },
    });
    const texts = JSON.stringify(listMessage([active], 0).blocks);
    expect(texts).toContain('```ssh-ed25519-cert-v01@openssh.com AAAAC3NzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t```');
  });
});
