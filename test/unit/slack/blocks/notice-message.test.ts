import { describe, expect, it } from 'vitest';
import { noticeMessage } from '../../../../src/slack/blocks/notice-message.js';
import {
  allText,
  grant,
  HOSTILE,
  MINUTE,
  requestView,
  T0,
  textsOf,
  unescapedControls,
} from '../../../support/slack-builders.js';

const CERT = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIG+/== alice@laptop';
const END = '<!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC>';

describe('noticeMessage: granted', () => {
  const view = requestView({ id: 'req_abc', status: 'active', grant: grant({ id: 'grant_abc' }) });
  const message = noticeMessage({ type: 'granted', view, certificate: CERT }, T0 + MINUTE);
  const texts = textsOf(message.blocks);

  it('says what was granted and until when', () => {
    expect(texts[0]).toBe(
      `:key: Your access to *prod-db* is granted, until ${END}.\nHosts: db-1.internal, db-2.internal · principals: dbadmin`,
    );
    expect(message.text).toBe(`Access to prod-db granted until ${END}`);
  });

  it('hands over the certificate whole, in a code block, with where to save it', () => {
    expect(texts).toContain('*1.* Save this certificate as `~/.ssh/jumpgate-prod-db-cert.pub`:');
    expect(texts).toContain(`\`\`\`${CERT}\`\`\``);
  });

  it('gives the exact ssh command for the first host and principal', () => {
    expect(texts).toContain(
      '*2.* Connect to the jump server:\n```ssh -o CertificateFile=~/.ssh/jumpgate-prod-db-cert.pub dbadmin@db-1.internal```',
    );
  });

  it('gives the ssh -J form, with the config it needs for the jump host', () => {
    const step = texts.find((text) => text.startsWith('*3.*'))!;
    expect(step).toContain(
      '```Host db-1.internal\n  User dbadmin\n  CertificateFile ~/.ssh/jumpgate-prod-db-cert.pub```',
    );
    expect(step).toContain('```ssh -J dbadmin@db-1.internal &lt;user&gt;@&lt;host-behind-it&gt;```');
  });

  it('names the grant id and how to end it early', () => {
    expect(texts.at(-1)).toBe(
      `Grant \`grant_abc\` · ends ${END} by itself (so does the certificate) · end it early with \`/jump revoke grant_abc\``,
    );
  });

  it('tells the sponsor of a vendor session to pass the certificate on', () => {
    const vendor = requestView({
      kind: 'vendor',
      vendor: { email: 'bob@vendor.example' },
      status: 'active',
      grant: grant({ principals: ['vendor'] }),
    });
    const sent = noticeMessage({ type: 'granted', view: vendor, certificate: CERT }, T0);
    expect(textsOf(sent.blocks)[0]).toContain('The vendor session for bob@vendor.example on *prod-db* is granted');
    expect(allText(sent)).toContain('send it and the steps below to them');
    expect(allText(sent)).toContain('vendor@db-1.internal');
    // Jumping through needs port forwarding, which a vendor certificate never has.
    expect(allText(sent)).toContain('no port, agent or X11 forwarding');
    expect(allText(sent)).not.toContain('ssh -J vendor@');
    expect(allText(sent)).toContain('no interactive shell');
    expect(sent.text).toBe(
      'Vendor session for bob@vendor.example on prod-db granted until ' + sent.text.split('until ')[1],
    );
  });

  it("names the vendor in the sponsor's expiry warning and ended notice", () => {
    const vendor = requestView({
      kind: 'vendor',
      vendor: { email: 'bob@vendor.example', name: 'Bob <Acme>' },
      status: 'active',
      grant: grant({ principals: ['vendor'] }),
    });
    const warning = noticeMessage({ type: 'expiring', view: vendor }, T0);
    expect(allText(warning)).toContain(
      'The vendor session of Bob &lt;Acme&gt; &lt;bob@vendor.example&gt; on *prod-db* ends',
    );
    expect(allText(warning)).toContain('/jump vendor bob@vendor.example prod-db');
    const ended = noticeMessage(
      { type: 'ended', view: { ...vendor, request: { ...vendor.request, status: 'expired' } } },
      T0,
    );
    expect(allText(ended)).toContain('The vendor session of Bob &lt;Acme&gt;');
  });

  it('refuses to cut a certificate too long for Slack, and says what to do', () => {
    const sent = noticeMessage(
      { type: 'granted', view, certificate: `ssh-rsa-cert-v01@openssh.com ${'A'.repeat(4_000)}` },
      T0,
    );
    expect(allText(sent)).not.toContain('AAAA');
    expect(allText(sent)).toContain('The certificate is too long to show in Slack');
  });

  it('escapes configured host names and principals', () => {
    const hostile = {
      ...view,
      request: { ...view.request, grant: grant({ hosts: ['<!channel>'], principals: ['<@U0EVIL>'] }) },
    };
    expect(
      unescapedControls(allText(noticeMessage({ type: 'granted', view: hostile, certificate: CERT }, T0))),
    ).toEqual([]);
  });
});

describe('noticeMessage: expiring', () => {
  const view = requestView({ status: 'active', grant: grant() });

  it('says when access ends, and in how many minutes', () => {
    const message = noticeMessage({ type: 'expiring', view }, T0 + 26 * MINUTE);
    expect(textsOf(message.blocks)[0]).toBe(
      `:hourglass: Your access to *prod-db* ends in 5 minutes, at ${END}. The certificate stops working then; save your work. ` +
        'For more time, request again: `/jump request prod-db`',
    );
    expect(message.text).toBe('Your access to prod-db ends in 5 minutes');
  });

  it('rounds to whole minutes and says "less than a minute" at the end', () => {
    expect(noticeMessage({ type: 'expiring', view }, T0 + 28 * MINUTE + 20_000).text).toBe(
      'Your access to prod-db ends in 3 minutes',
    );
    expect(noticeMessage({ type: 'expiring', view }, T0 + 29 * MINUTE + 50_000).text).toBe(
      'Your access to prod-db ends in 1 minute',
    );
    expect(noticeMessage({ type: 'expiring', view }, T0 + 30 * MINUTE + 30_000).text).toBe(
      'Your access to prod-db ends in less than a minute',
    );
  });
});

describe('noticeMessage: ended', () => {
  it('says an expired grant ended by itself, naming the grant and the request', () => {
    const message = noticeMessage(
      { type: 'ended', view: requestView({ id: 'req_abc', status: 'expired', grant: grant({ id: 'grant_abc' }) }) },
      T0,
    );
    expect(textsOf(message.blocks)).toEqual([
      `:checkered_flag: Your access to *prod-db* has ended: it expired at ${END}. The certificate no longer works.`,
      'Grant `grant_abc` · request `req_abc`',
    ]);
  });

  it('names who revoked it when it was someone else', () => {
    const view = requestView({ status: 'revoked', grant: grant(), revocation: { by: 'U0LEAD', at: T0 + 10 * MINUTE } });
    expect(textsOf(noticeMessage({ type: 'ended', view }, T0).blocks)[0]).toBe(
      ':stop_sign: Your access to *prod-db* was revoked by <@U0LEAD> at <!date^1800000600^{date_short_pretty} {time}|2027-01-15 08:10 UTC>. Bastions refuse the certificate within ~30 s.',
    );
  });

  it('says why Jumpgate revoked it by itself, escaped', () => {
    const view = requestView({
      id: 'req_abc',
      status: 'revoked',
      grant: grant({ id: 'grant_abc' }),
      revocation: { by: 'jumpgate', at: T0 + 10 * MINUTE, reason: 'incident #42 was resolved' },
    });
    const message = noticeMessage({ type: 'ended', view }, T0);
    expect(textsOf(message.blocks)).toEqual([
      ':checkered_flag: Your access to *prod-db* was revoked at <!date^1800000600^{date_short_pretty} {time}|2027-01-15 08:10 UTC>: incident #42 was resolved. Bastions refuse the certificate within ~30 s.',
      'Grant `grant_abc` · request `req_abc`',
    ]);
    expect(message.text).toBe(
      'Your access to *prod-db* was revoked at <!date^1800000600^{date_short_pretty} {time}|2027-01-15 08:10 UTC>: incident #42 was resolved.',
    );
    const hostile = requestView({
      status: 'revoked',
      grant: grant(),
      revocation: { by: 'jumpgate', at: T0, reason: HOSTILE },
    });
    expect(unescapedControls(allText(noticeMessage({ type: 'ended', view: hostile }, T0)))).toEqual([]);
  });

  it('says "you ended" when the holder revoked it', () => {
    const view = requestView({
      status: 'revoked',
      grant: grant(),
      revocation: { by: 'U0ALICE', at: T0 + 10 * MINUTE },
    });
    expect(textsOf(noticeMessage({ type: 'ended', view }, T0).blocks)[0]).toMatch(
      /^:stop_sign: You ended your access to \*prod-db\* at /,
    );
  });
});

describe('noticeMessage: closed', () => {
  it('says who denied it and why, escaped', () => {
    const view = requestView({
      id: 'req_abc',
      status: 'denied',
      decision: { by: 'U0LEAD', at: T0, reason: `not now ${HOSTILE}` },
    });
    const message = noticeMessage({ type: 'closed', view }, T0);
    expect(textsOf(message.blocks)[0]).toMatch(
      /^:no_entry: Your request `req_abc` for \*prod-db\* was denied by <@U0LEAD>: not now &lt;!channel&gt;/,
    );
    expect(unescapedControls(allText(message))).toEqual([]);
    expect(message.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Request `req_abc`', verbatim: true }],
    });
  });

  it('says a request timed out and that one may ask again', () => {
    const message = noticeMessage({ type: 'closed', view: requestView({ id: 'req_abc', status: 'timed_out' }) }, T0);
    expect(textsOf(message.blocks)[0]).toBe(
      ':alarm_clock: Your request `req_abc` for *prod-db* timed out: nobody approved it within 30m. You can ask again.',
    );
  });

  it('says a grant failed, with the reason', () => {
    const view = requestView({
      id: 'req_abc',
      status: 'failed',
      failure: { code: 'broker_unavailable', message: 'the broker did not answer' },
    });
    expect(textsOf(noticeMessage({ type: 'closed', view }, T0).blocks)[0]).toBe(
      ':x: Your request `req_abc` for *prod-db* was approved, but access could not be granted: the broker did not answer. Nothing was granted; you can ask again.',
    );
  });
});

describe('noticeMessage: withdrawn by Jumpgate', () => {
  it('says why Jumpgate cancelled the request, escaped', () => {
    const view = requestView({
      id: 'req_gone',
      status: 'cancelled',
      decision: { by: 'jumpgate', at: T0, reason: `prod-db was retired ${HOSTILE}` },
    });
    const message = noticeMessage({ type: 'closed', view }, T0 + MINUTE);
    expect(textsOf(message.blocks)[0]).toContain('was cancelled: prod-db was retired ');
    expect(unescapedControls(allText(message))).toEqual([]);
  });

  it('says only "cancelled" when the requester withdrew it', () => {
    const view = requestView({ id: 'req_mine', status: 'cancelled', decision: { by: 'U0ALICE', at: T0 } });
    expect(textsOf(noticeMessage({ type: 'closed', view }, T0 + MINUTE).blocks)[0]).toMatch(/was cancelled\.$/);
  });
});
