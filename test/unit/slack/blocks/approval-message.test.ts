import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { approvalMessage } from '../../../../src/slack/blocks/approval-message.js';
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

const NOW = T0 + 2 * MINUTE;

function buttonsOf(blocks: readonly KnownBlock[]): Button[] {
  return blocks
    .filter((block): block is ActionsBlock => block.type === 'actions')
    .flatMap((block) => block.elements as Button[]);
}

function fieldTexts(blocks: readonly KnownBlock[]): string[] {
  return blocks
    .filter((block): block is SectionBlock => block.type === 'section')
    .flatMap((block) => (block.fields ?? []).map((field) => field.text));
}

/** The status line: the section right before the buttons / context. */
function statusLine(blocks: readonly KnownBlock[]): string {
  const sections = blocks.filter(
    (block): block is SectionBlock => block.type === 'section' && block.text !== undefined,
  );
  return sections[sections.length - 1]!.text!.text;
}

describe('approvalMessage', () => {
  it('shows who asks for what, for how long and why, with Approve and Deny while pending', () => {
    const view = requestView({
      id: 'req_abc',
      requester: 'U0ALICE',
      durationMs: 30 * MINUTE,
      reason: 'fix replication INC-42',
      ticket: 'INC-42',
    });
    const message = approvalMessage(view, NOW);

    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Access request', emoji: true },
    });
    expect(fieldTexts(message.blocks)).toEqual([
      '*Requester*\n<@U0ALICE>',
      '*Target*\nprod-db',
      '*Hosts*\ndb-1.internal, db-2.internal',
      '*Principals*\ndbadmin',
      '*Duration*\n30m',
      '*Ticket*\nINC-42',
      '*Approvals*\n0 of 1',
    ]);
    expect(textsOf(message.blocks)).toContain('*Reason*\nfix replication INC-42');
    expect(statusLine(message.blocks)).toBe(
      ':hourglass_flowing_sand: Waiting for approval — times out <!date^1800001800^{date_short_pretty} {time}|2027-01-15 08:30 UTC>',
    );
    expect(buttonsOf(message.blocks)).toEqual([
      {
        type: 'button',
        action_id: 'jump_approve',
        text: { type: 'plain_text', text: 'Approve', emoji: true },
        style: 'primary',
        value: 'req_abc',
      },
      {
        type: 'button',
        action_id: 'jump_deny',
        text: { type: 'plain_text', text: 'Deny', emoji: true },
        style: 'danger',
        value: 'req_abc',
      },
    ]);
    expect(message.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: 'Request `req_abc` · requested <!date^1800000000^{date_short_pretty} {time}|2027-01-15 08:00 UTC>',
          verbatim: true,
        },
      ],
    });
    expect(message.text).toBe(
      'Access request from <@U0ALICE> for prod-db (30m): Waiting for approval — times out <!date^1800001800^{date_short_pretty} {time}|2027-01-15 08:30 UTC>',
    );
  });

  it('counts distinct approvers and mentions who approved', () => {
    const view = requestView({
      approvalsRequired: 2,
      approvals: [
        { userId: 'U0LEAD', at: T0 + MINUTE },
        { userId: 'U0LEAD', at: T0 + MINUTE },
      ],
    });
    expect(fieldTexts(approvalMessage(view, NOW).blocks)).toContain('*Approvals*\n1 of 2: <@U0LEAD>');
    const two = requestView({
      approvalsRequired: 2,
      approvals: [
        { userId: 'U0LEAD', at: T0 },
        { userId: 'U0SRE', at: T0 },
      ],
    });
    expect(fieldTexts(approvalMessage(two, NOW).blocks)).toContain('*Approvals*\n2 of 2: <@U0LEAD>, <@U0SRE>');
  });

  it('escapes every piece of user and configured text, in blocks and in the fallback', () => {
    const view = requestView({
      reason: HOSTILE,
      ticket: HOSTILE,
      vendor: { email: 'x@evil.example', name: HOSTILE },
      kind: 'vendor',
    });
    const hostile = {
      ...view,
      target: { name: '<!channel>', hosts: ['<@U0EVIL>'], principals: ['<!subteam^S0EVIL>'] },
    };
    const message = approvalMessage(hostile, NOW);
    expect(unescapedControls(allText(message))).toEqual([]);
    expect(allText(message)).toContain('&lt;!channel&gt; &lt;@U0EVIL&gt;');
  });

  it('names the vendor and the sponsor of a vendor session, with the vendor principals', () => {
    const view = requestView({ kind: 'vendor', vendor: { email: 'bob@vendor.example', name: 'Bob' } });
    const message = approvalMessage(view, NOW);
    expect(message.blocks[0]).toMatchObject({ text: { text: 'Vendor session request' } });
    expect(fieldTexts(message.blocks)).toEqual(
      expect.arrayContaining([
        '*Sponsor*\n<@U0ALICE>',
        '*Vendor*\nBob &lt;bob@vendor.example&gt;',
        '*Principals*\nvendor',
      ]),
    );
    expect(allText(message)).toContain(
      'sponsored by <@U0ALICE> (who cannot approve it). Their certificate: no port, agent or X11 forwarding; no interactive shell.',
    );
    expect(message.text).toMatch(
      /^Vendor session request from <@U0ALICE> for Bob &lt;bob@vendor.example&gt; on prod-db/,
    );
  });

  it('shows a dash for a missing reason or ticket', () => {
    const message = approvalMessage(requestView({ reason: '  ', ticket: undefined }), NOW);
    expect(textsOf(message.blocks)).toContain('*Reason*\n—');
    expect(fieldTexts(message.blocks)).toContain('*Ticket*\n—');
  });

  it('clips a very long reason so the section stays within Block Kit’s limit', () => {
    const message = approvalMessage(requestView({ reason: '&'.repeat(5_000) }), NOW);
    const reason = textsOf(message.blocks).find((text) => text.startsWith('*Reason*'))!;
    expect(reason.length).toBeLessThanOrEqual(3_000);
    expect(reason.endsWith('&amp;…')).toBe(true);
  });

  it.each([
    ['approved', {}, ':white_check_mark: Approved — issuing the certificate…'],
    [
      'active',
      { grant: grant() },
      ':large_green_circle: Active until <!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC>',
    ],
    [
      'denied',
      { decision: { by: 'U0LEAD', at: T0, reason: 'use staging <!here>' } },
      ':no_entry: Denied by <@U0LEAD>: use staging &lt;!here&gt;',
    ],
    ['denied', { decision: { by: 'U0LEAD', at: T0 } }, ':no_entry: Denied by <@U0LEAD>'],
    ['timed_out', {}, ':alarm_clock: Timed out — nobody approved it within 30m'],
    [
      'timed_out',
      { approvalsRequired: 2, approvals: [{ userId: 'U0LEAD', at: T0 }] },
      ':alarm_clock: Timed out — only 1 of 2 approvals within 30m',
    ],
    [
      'failed',
      { failure: { code: 'broker_unavailable', message: 'the broker did not answer <!channel>' } },
      ':x: Could not be granted: the broker did not answer &lt;!channel&gt;',
    ],
    [
      'expired',
      { grant: grant() },
      ':checkered_flag: Ended at <!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC> (expired)',
    ],
    [
      'revoked',
      { grant: grant(), revocation: { by: 'U0LEAD', at: T0 + 10 * MINUTE } },
      ':stop_sign: Revoked by <@U0LEAD> at <!date^1800000600^{date_short_pretty} {time}|2027-01-15 08:10 UTC>',
    ],
    ['cancelled', {}, ':heavy_multiplication_x: Cancelled by the requester'],
  ] as const)('once %s: says so, without buttons (%#)', (status, extra, line) => {
    const message = approvalMessage(requestView({ status, ...extra }), NOW);
    expect(statusLine(message.blocks)).toBe(line);
    expect(buttonsOf(message.blocks)).toEqual([]);
    expect(message.text).toContain(line.replace(/^:[a-z_]+: /, ''));
  });

  it('says an active grant past its end is being revoked', () => {
    const message = approvalMessage(requestView({ status: 'active', grant: grant() }), T0 + 40 * MINUTE);
    expect(statusLine(message.blocks)).toBe(
      ':checkered_flag: Ended at <!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC> — revoking…',
    );
  });

  it('says when a pending request was escalated', () => {
    const message = approvalMessage(requestView({ escalated: true }), NOW);
    expect(statusLine(message.blocks)).toMatch(
      /^:hourglass_flowing_sand: Waiting for approval \(escalated\) — times out /,
    );
    expect(buttonsOf(message.blocks)).toHaveLength(2);
  });

  it('shows the hosts and principals fixed in the grant, not the current target’s', () => {
    const view = requestView({
      status: 'active',
      grant: grant({ hosts: ['old-1.internal'], principals: ['olduser'] }),
    });
    expect(fieldTexts(approvalMessage(view, NOW).blocks)).toEqual(
      expect.arrayContaining(['*Hosts*\nold-1.internal', '*Principals*\nolduser']),
    );
  });

  it('says why the bot revoked a grant by itself, escaped', () => {
    const view = requestView({
      status: 'revoked',
      grant: grant(),
      revocation: { by: 'jumpgate', at: T0 + 10 * MINUTE, reason: 'incident #42 was resolved <!channel>' },
    });
    const message = approvalMessage(view, NOW);
    expect(statusLine(message.blocks)).toBe(
      ':stop_sign: Revoked at <!date^1800000600^{date_short_pretty} {time}|2027-01-15 08:10 UTC>: incident #42 was resolved &lt;!channel&gt;',
    );
    expect(message.text).toContain(
      'Revoked at <!date^1800000600^{date_short_pretty} {time}|2027-01-15 08:10 UTC>: incident #42 was resolved',
    );
  });
});

const HOUR = 60 * MINUTE;
const INCIDENT = {
  id: 'PINC1',
  number: 42,
  title: 'Database down',
  url: 'https://acme.pagerduty.com/incidents/PINC1',
  serviceId: 'PSVC456',
  endWithIncident: true,
} as const;

function sectionTexts(blocks: readonly KnownBlock[]): string[] {
  return blocks
    .filter((block): block is SectionBlock => block.type === 'section' && block.text !== undefined)
    .map((block) => block.text!.text);
}

describe('approvalMessage: auto-approved', () => {
  const auto = { escalationPolicyId: 'PESC123', level: 1 };
  const LINE =
    ':zap: Auto-approved: <@U0ALICE> is on call for PESC123 (level 1) and incident ' +
    '<https://acme.pagerduty.com/incidents/PINC1|#42 Database down> is active.';

  it('says who was on call for which incident, then the status, and never shows buttons', () => {
    const view = requestView({
      id: 'req_abc',
      status: 'active',
      grant: grant(),
      durationMs: HOUR,
      autoApproval: auto,
      incident: INCIDENT,
    });
    const message = approvalMessage(view, NOW);
    expect(sectionTexts(message.blocks).slice(-2)).toEqual([
      LINE,
      ':large_green_circle: Active until <!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC>',
    ]);
    expect(fieldTexts(message.blocks)).toContain('*Approvals*\nnone needed (auto-approved)');
    expect(buttonsOf(message.blocks)).toEqual([]);
  });

  it.each(['approved', 'active', 'failed', 'expired', 'revoked'] as const)(
    'has no Approve or Deny buttons once %s',
    (status) => {
      const view = requestView({
        status,
        autoApproval: auto,
        incident: INCIDENT,
        ...(status === 'approved' ? {} : { grant: grant() }),
      });
      expect(buttonsOf(approvalMessage(view, NOW).blocks)).toEqual([]);
    },
  );

  it('says the auto-approve cap shortened the request', () => {
    const view = requestView({
      status: 'approved',
      durationMs: HOUR,
      autoApproval: { ...auto, requestedMs: 2 * HOUR },
      incident: INCIDENT,
    });
    expect(sectionTexts(approvalMessage(view, NOW).blocks)).toContain(
      `${LINE}\nAsked for 2h; auto-approval gives at most 1h.`,
    );
  });

  it('escapes the incident title and the policy id, and never lets the incident URL break out of its link', () => {
    const hostile = { ...INCIDENT, title: HOSTILE, url: 'https://acme.pagerduty.com/incidents/P1|<!channel>' };
    const view = requestView({
      status: 'approved',
      autoApproval: { escalationPolicyId: '<!channel>', level: 2 },
      incident: hostile,
    });
    const message = approvalMessage(view, NOW);
    expect(unescapedControls(allText(message))).toEqual([]);
    const line = sectionTexts(message.blocks).find((text) => text.startsWith(':zap:'))!;
    expect(line).toBe(
      ':zap: Auto-approved: <@U0ALICE> is on call for &lt;!channel&gt; (level 2) and incident ' +
        '<https://acme.pagerduty.com/incidents/P1%7C%3C!channel%3E|#42 &lt;!channel&gt; &lt;@U0EVIL&gt; &lt;!subteam^S0EVIL&gt; ' +
        '&lt;http://evil.example|click me&gt; a &amp; b ``` `x`> is active.',
    );
  });

  it('shows the incident without a link when its URL is not http(s)', () => {
    const view = requestView({
      status: 'approved',
      autoApproval: auto,
      incident: { ...INCIDENT, url: 'javascript:alert(1)' },
    });
    expect(sectionTexts(approvalMessage(view, NOW).blocks)).toContain(
      ':zap: Auto-approved: <@U0ALICE> is on call for PESC123 (level 1) and incident #42 Database down is active.',
    );
  });
});

describe('approvalMessage: breakglass', () => {
  const DUE = T0 + 24 * HOUR;
  const DUE_DATE = '<!date^1800086400^{date_short_pretty} {time}|2027-01-16 08:00 UTC>';
  const breakglass = (extra: Parameters<typeof requestView>[0] = {}) =>
    requestView({
      id: 'req_abc',
      kind: 'breakglass',
      status: 'active',
      grant: grant(),
      durationMs: HOUR,
      approvalsRequired: 0,
      review: { dueAt: DUE },
      ...extra,
    });
  const REVIEW_BUTTONS = [
    {
      type: 'button',
      action_id: 'jump_review_ok',
      text: { type: 'plain_text', text: 'Reviewed: OK', emoji: true },
      style: 'primary',
      value: 'req_abc',
    },
    {
      type: 'button',
      action_id: 'jump_review_flag',
      text: { type: 'plain_text', text: 'Flag', emoji: true },
      style: 'danger',
      value: 'req_abc',
    },
  ];

  it('is titled as breakglass, says no approval was needed, and asks for the review by its due date', () => {
    const message = approvalMessage(breakglass(), NOW);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':rotating_light: Breakglass access', emoji: true },
    });
    expect(fieldTexts(message.blocks)).toContain('*Approvals*\nnone needed (breakglass)');
    expect(sectionTexts(message.blocks).slice(-2)).toEqual([
      ':large_green_circle: Active until <!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC>',
      `Post-hoc review due by ${DUE_DATE}`,
    ]);
    expect(buttonsOf(message.blocks)).toEqual(REVIEW_BUTTONS);
    expect(message.text).toMatch(/^Breakglass access from <@U0ALICE> for prod-db \(1h\): Active until /);
  });

  it('names the incident that justified it, escaped', () => {
    const message = approvalMessage(breakglass({ incident: { ...INCIDENT, title: 'db <!here> & co' } }), NOW);
    expect(sectionTexts(message.blocks)).toContain(
      'Justified by incident <https://acme.pagerduty.com/incidents/PINC1|#42 db &lt;!here&gt; &amp; co>',
    );
    expect(
      sectionTexts(approvalMessage(breakglass(), NOW).blocks).some((text) => text.startsWith('Justified by')),
    ).toBe(false);
  });

  it('says the review is overdue once past its due date, still with the buttons', () => {
    const message = approvalMessage(breakglass(), DUE + 1);
    expect(sectionTexts(message.blocks).at(-1)).toBe(`:warning: Review overdue since ${DUE_DATE}`);
    expect(buttonsOf(message.blocks)).toEqual(REVIEW_BUTTONS);
    expect(sectionTexts(approvalMessage(breakglass(), DUE).blocks).at(-1)).toBe(`Post-hoc review due by ${DUE_DATE}`);
  });

  it.each([
    ['expired', { grant: grant() }],
    ['revoked', { grant: grant(), revocation: { by: 'U0ALICE', at: T0 + 5 * MINUTE } }],
    ['failed', { grant: undefined, failure: { code: 'broker_unavailable', message: 'the broker did not answer' } }],
    ['approved', { grant: grant() }],
  ] as const)('keeps the review buttons while not reviewed, whatever the grant became (%s)', (status, extra) => {
    expect(buttonsOf(approvalMessage(breakglass({ status, ...extra }), NOW).blocks)).toEqual(REVIEW_BUTTONS);
  });

  it('shows who reviewed it and how, without buttons', () => {
    const ok = approvalMessage(breakglass({ review: { dueAt: DUE, by: 'U0LEAD', at: T0 + HOUR, outcome: 'ok' } }), NOW);
    expect(sectionTexts(ok.blocks).at(-1)).toBe('Reviewed by <@U0LEAD>: OK');
    expect(buttonsOf(ok.blocks)).toEqual([]);
    const flagged = approvalMessage(
      breakglass({ status: 'expired', review: { dueAt: DUE, by: 'U0LEAD', at: DUE + HOUR, outcome: 'flagged' } }),
      DUE + 2 * HOUR,
    );
    expect(sectionTexts(flagged.blocks).at(-1)).toBe(':triangular_flag_on_post: Flagged by <@U0LEAD>');
    expect(buttonsOf(flagged.blocks)).toEqual([]);
  });

  it('never shows Approve or Deny, even before the review record exists', () => {
    const message = approvalMessage(breakglass({ status: 'pending', grant: undefined, review: undefined }), NOW);
    expect(buttonsOf(message.blocks)).toEqual([]);
  });
});
