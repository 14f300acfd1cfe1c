import { describe, expect, it } from 'vitest';
import { alertMessage } from '../../../../src/slack/blocks/alert-message.js';
import { allText, HOSTILE, unescapedControls } from '../../../support/slack-builders.js';

describe('alertMessage', () => {
  it('is a warning section with the text escaped, and the request id when there is one', () => {
    const message = alertMessage({
      channel: 'C0APPROVALS',
      text: 'Jumpgate could not revoke a & b <!channel>',
      requestId: 'req_abc',
    });
    expect(message.blocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':warning: *Jumpgate needs attention*\nJumpgate could not revoke a &amp; b &lt;!channel&gt;',
          verbatim: true,
        },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Request `req_abc`', verbatim: true }] },
    ]);
    expect(message.text).toBe('Jumpgate needs attention: Jumpgate could not revoke a &amp; b &lt;!channel&gt;');
  });

  it('has no request context without a request, and never lets hostile text through', () => {
    const message = alertMessage({ channel: 'C0APPROVALS', text: HOSTILE });
    expect(message.blocks).toHaveLength(1);
    expect(unescapedControls(allText(message))).toEqual([]);
  });
});
