import { describe, expect, it } from 'vitest';
import { requestSentMessage } from '../../../../src/slack/blocks/request-sent-message.js';
import { accessRequest } from '../../../support/builders.js';
import { textsOf } from '../builders.js';

describe('requestSentMessage', () => {
  const request = accessRequest({ id: 'req_abc', target: 'prod-db', durationMs: 30 * 60_000 });

  it('says where the request went and that a DM follows', () => {
    const message = requestSentMessage(request, 'C0APPROVALS');
    expect(textsOf(message.blocks)).toEqual([':outbox_tray: Request `req_abc` for prod-db (30m) sent to <#C0APPROVALS>; you will get a DM when it is decided.']);
    expect(message.text).toBe('Request `req_abc` for prod-db (30m) sent to <#C0APPROVALS>; you will get a DM when it is decided.');
  });

  it('says the request stands although its approval message could not be posted yet', () => {
    const message = requestSentMessage(request, undefined);
    expect(textsOf(message.blocks)).toEqual([
      ':warning: Request `req_abc` for prod-db (30m) is recorded, but Slack did not take the approval message; ' +
        'Jumpgate will post it again shortly. You will get a DM when it is decided.',
    ]);
  });
});
