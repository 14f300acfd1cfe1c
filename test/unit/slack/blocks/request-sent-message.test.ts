import { describe, expect, it } from 'vitest';
import { requestSentMessage } from '../../../../src/slack/blocks/request-sent-message.js';
import { accessRequest } from '../../../support/builders.js';
import { allText, HOSTILE, textsOf, unescapedControls } from '../../../support/slack-builders.js';

describe('requestSentMessage', () => {
  const request = accessRequest({ id: 'req_abc', target: 'prod-db', durationMs: 30 * 60_000 });

  it('offers the requester a Cancel button while the request is pending, and not after', () => {
    const pending = JSON.stringify(requestSentMessage(request, 'C0APPROVALS').blocks);
    expect(pending).toContain('"action_id":"jump_cancel"');
    expect(pending).toContain('"value":"req_abc"');
    expect(JSON.stringify(requestSentMessage({ ...request, status: 'denied' }, 'C0APPROVALS').blocks)).not.toContain(
      'jump_cancel',
    );
  });

  it('says where the request went and that a DM follows', () => {
    const message = requestSentMessage(request, 'C0APPROVALS');
    expect(textsOf(message.blocks)).toEqual([
      ':outbox_tray: Request `req_abc` for prod-db (30m) sent to <#C0APPROVALS>; you will get a DM when it is decided.',
      'Cancel request',
    ]);
    expect(message.text).toBe(
      'Request `req_abc` for prod-db (30m) sent to <#C0APPROVALS>; you will get a DM when it is decided.',
    );
  });

  it('says the request stands although its approval message could not be posted yet', () => {
    const message = requestSentMessage(request, undefined);
    expect(textsOf(message.blocks)).toEqual([
      ':warning: Request `req_abc` for prod-db (30m) is recorded, but Slack did not take the approval message; ' +
        'Jumpgate will post it again shortly. You will get a DM when it is decided.',
      'Cancel request',
    ]);
  });

  it('says why PagerDuty did not approve it at once', () => {
    const message = requestSentMessage(request, 'C0APPROVALS', {
      outcome: 'not_approved',
      reason: 'you are not on call for PESC123',
    });
    expect(textsOf(message.blocks)).toEqual([
      ':outbox_tray: Request `req_abc` for prod-db (30m) sent to <#C0APPROVALS>; you will get a DM when it is decided.',
      'Not auto-approved: you are not on call for PESC123; the approvers were asked.',
      'Cancel request',
    ]);
  });

  it('says PagerDuty could not be asked, so the approvers decide', () => {
    const message = requestSentMessage(request, 'C0APPROVALS', {
      outcome: 'unavailable',
      reason: 'PagerDuty answered 503',
    });
    expect(textsOf(message.blocks)[1]).toBe(
      ':warning: PagerDuty could not be asked (PagerDuty answered 503), so your request went to the approvers.',
    );
  });

  it('says nothing more when incident checks are off', () => {
    expect(textsOf(requestSentMessage(request, 'C0APPROVALS', { outcome: 'off' }).blocks)).toHaveLength(2);
  });

  it('escapes what PagerDuty said', () => {
    const message = requestSentMessage(request, 'C0APPROVALS', { outcome: 'not_approved', reason: HOSTILE });
    expect(unescapedControls(allText(message))).toEqual([]);
  });
});

describe('requestSentMessage: auto-approved', () => {
  const incident = {
    id: 'PINC1',
    number: 42,
    title: 'Database down',
    url: 'https://acme.pagerduty.com/incidents/PINC1',
    serviceId: 'PSVC456',
    endWithIncident: true,
  };
  const auto = accessRequest({
    id: 'req_abc',
    target: 'prod-db',
    status: 'active',
    durationMs: 3_600_000,
    incident,
    autoApproval: { escalationPolicyId: 'PESC123', level: 1 },
  });
  const LEAD =
    ':zap: Auto-approved: you are on call and incident <https://acme.pagerduty.com/incidents/PINC1|#42> is active. ' +
    'Access to *prod-db* for 1h — your certificate comes by DM.';

  it('says no approver was needed and the certificate comes by DM', () => {
    const message = requestSentMessage(auto, 'C0APPROVALS', { outcome: 'off' });
    expect(textsOf(message.blocks)).toEqual([LEAD, 'Request `req_abc`']);
    expect(message.text).toBe(`${LEAD.replace(':zap: ', '')} Request \`req_abc\`.`);
  });

  it('says the auto-approve cap shortened it', () => {
    const capped = { ...auto, autoApproval: { escalationPolicyId: 'PESC123', level: 1, requestedMs: 2 * 3_600_000 } };
    expect(textsOf(requestSentMessage(capped, 'C0APPROVALS').blocks)[0]).toBe(
      `${LEAD}\nAsked for 2h; auto-approval gives at most 1h.`,
    );
  });

  it('says it could not be granted after all, and why', () => {
    const failed = {
      ...auto,
      status: 'failed' as const,
      failure: { code: 'broker_rejected', message: 'the broker refused the key <!channel>' },
    };
    expect(textsOf(requestSentMessage(failed, 'C0APPROVALS').blocks)).toEqual([
      ':x: `req_abc` was auto-approved, but access to *prod-db* could not be granted: the broker refused the key &lt;!channel&gt;. Nothing was granted; you can ask again.',
    ]);
  });
});
