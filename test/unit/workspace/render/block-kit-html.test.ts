import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { BreakglassPlan } from '../../../../src/service/use-cases/breakglass/breakglass.js';
import { approvalMessage } from '../../../../src/slack/blocks/approval-message.js';
import { breakglassConfirm } from '../../../../src/slack/blocks/breakglass-confirm.js';
import { denyModal } from '../../../../src/slack/blocks/deny-modal.js';
import { homeView } from '../../../../src/slack/blocks/home-view.js';
import { noticeMessage } from '../../../../src/slack/blocks/notice-message.js';
import { requestModal } from '../../../../src/slack/blocks/request-modal.js';
import { blocksToHtml } from '../../../../src/workspace/render/block-kit-html.js';
import type { RenderContext } from '../../../../src/workspace/render/html.js';
import { homeHtml, modalHtml } from '../../../../src/workspace/render/screen-html.js';
import { accessRequest } from '../../../support/builders.js';
import { workflow } from '../../../support/policy-builders.js';
import { grant, MINUTE, requestView, T0 } from '../../../support/slack-builders.js';

const CONTEXT: RenderContext = {
  users: new Map([['U0ALICE', 'Alice Martin']]),
  groups: new Map(),
  channels: new Map([['C0SECURITY', 'security']]),
  timeZone: 'UTC',
  now: T0,
};

/** Tags in the HTML: only these may appear, whatever the text. */
const ALLOWED_TAGS = new Set([
  'div',
  'span',
  'strong',
  'em',
  's',
  'code',
  'pre',
  'br',
  'blockquote',
  'a',
  'time',
  'button',
  'hr',
  'figure',
  'img',
  'input',
  'textarea',
  'select',
  'option',
  'label',
  'form',
  'h2',
  'footer',
]);

function tagsOf(html: string): string[] {
  return [...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1] ?? '');
}

describe('blocksToHtml', () => {
  it('renders the approval message: header, fields, reason, buttons with their styles and the context line', () => {
    const view = requestView({ requester: 'U0ALICE', target: 'prod-db', reason: 'fix replication' });
    const html = blocksToHtml(approvalMessage(view, T0 + MINUTE).blocks, CONTEXT);
    expect(html).toContain('<div class="b-header">Access request</div>');
    expect(html).toContain(
      '<div class="b-field"><strong>Requester</strong><br><span class="mention user">@Alice Martin</span></div>',
    );
    expect(html).toMatch(
      /<button class="btn primary" data-action-id="jump_approve" data-block-id="[^"]*" data-value="req_[a-z0-9]+">Approve<\/button>/,
    );
    expect(html).toMatch(/<button class="btn danger" data-action-id="jump_deny"/);
    expect(html).toContain('<div class="b-context">');
  });

  it('renders the breakglass confirmation with its Confirm and Cancel buttons', () => {
    const plan: BreakglassPlan = {
      target: 'prod-db',
      workflow: 'production',
      durationMs: 15 * MINUTE,
      reason: 'primary down',
      notifyChannel: 'C0SECURITY',
      reviewWithinMs: 24 * 60 * MINUTE,
      requiresIncident: false,
    };
    const html = blocksToHtml(breakglassConfirm(plan, '{"x":"<b>"}').blocks, CONTEXT);
    expect(html).toContain('🚨 <strong>Breakglass access to prod-db for 15m</strong>');
    expect(html).toContain('data-action-id="jump_breakglass_confirm"');
    expect(html).toContain('data-value="{&quot;x&quot;:&quot;&lt;b&gt;&quot;}"');
  });

  it('renders the certificate DM: the certificate as a code block with Copy and ssh-keygen -L', () => {
    const certificate = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5 grant_x';
    const view = requestView({ status: 'active', grant: grant() });
    const html = blocksToHtml(noticeMessage({ type: 'granted', view, certificate }, T0 + MINUTE).blocks, CONTEXT);
    expect(html).toContain(
      `<div class="code"><pre>${certificate}</pre><button class="copy" data-copy>Copy</button><button class="copy inspect" data-inspect>ssh-keygen -L</button></div>`,
    );
    expect(html).toContain('🔑 Your access to <strong>prod-db</strong> is granted');
  });

  it('renders App Home with its Request access button', () => {
    const wf = workflow();
    const home = homeView({
      requests: [accessRequest({ id: 'req_home1' })],
      targets: wf.targets.map((target) => ({ target, workflow: wf })),
      now: T0,
    });
    const html = homeHtml({ id: 'V9', view: home as unknown as Record<string, unknown>, errors: {} }, CONTEXT);
    expect(html).toContain('<div class="home" data-view-id="V9">');
    expect(html).toContain('data-action-id="jump_open_request_modal"');
    expect(html).toContain('<code>req_home1</code>');
  });

  it('renders dividers, images (http only), section accessories and says what it does not show', () => {
    const blocks = [
      { type: 'divider' },
      { type: 'image', image_url: 'https://example.com/a.png', alt_text: 'a "chart"' },
      { type: 'image', image_url: 'javascript:alert(1)', alt_text: 'bad' },
      {
        type: 'section',
        text: { type: 'plain_text', text: '*plain*' },
        accessory: { type: 'button', action_id: 'x', text: { type: 'plain_text', text: 'Go' }, value: 'v' },
      },
      { type: 'video' },
    ];
    const html = blocksToHtml(blocks, CONTEXT);
    expect(html).toContain('<hr class="b-divider">');
    expect(html).toContain('<img src="https://example.com/a.png" alt="a &quot;chart&quot;" loading="lazy">');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<div class="b-text">*plain*</div>');
    expect(html).toContain('<div class="b-accessory"><button class="btn" data-action-id="x"');
    expect(html).toContain('(a video block this page does not show)');
  });

  it('carries a button confirmation dialog as data, escaped', () => {
    const html = blocksToHtml(
      [
        {
          type: 'actions',
          block_id: 'b',
          elements: [
            {
              type: 'button',
              action_id: 'a',
              text: { type: 'plain_text', text: 'Revoke' },
              confirm: {
                title: { type: 'plain_text', text: 'Sure?' },
                text: { type: 'plain_text', text: '<now>' },
                confirm: { type: 'plain_text', text: 'Yes' },
                deny: { type: 'plain_text', text: 'No' },
              },
            },
          ],
        },
      ],
      CONTEXT,
    );
    expect(html).toContain(
      'data-confirm="{&quot;title&quot;:&quot;Sure?&quot;,&quot;text&quot;:&quot;&lt;now&gt;&quot;,&quot;confirm&quot;:&quot;Yes&quot;,&quot;deny&quot;:&quot;No&quot;}"',
    );
  });

  it('renders the request modal: a static select, text inputs, hints, Cancel and Submit', () => {
    const modal = requestModal([
      { name: 'prod-db', workflow: 'production', maxDuration: 4 * 60 * MINUTE, defaultDuration: 30 * MINUTE },
    ]);
    const html = modalHtml({ id: 'V1', view: modal as unknown as Record<string, unknown>, errors: {} }, CONTEXT);
    expect(html).toContain('<form class="modal" data-view-id="V1"><h2>Request access</h2>');
    expect(html).toMatch(/<select data-input data-block-id="[^"]+" data-action-id="[^"]+" data-type="static_select"/);
    expect(html).toContain('<option value="prod-db">');
    expect(html).toMatch(/<textarea data-input [^>]*data-type="plain_text_input"/);
    expect(html).toContain('<span class="optional">(optional)</span>');
    expect(html).toContain('<button type="button" class="btn" data-close>Cancel</button>');
    expect(html).toContain('<button type="submit" class="btn primary">');
  });

  it('shows a validation error on its field', () => {
    const modal = denyModal('req_abcd1234') as unknown as Record<string, unknown>;
    const blockId = (modal.blocks as KnownBlock[]).find((b) => b.type === 'input')?.block_id ?? '';
    const html = modalHtml({ id: 'V2', view: modal, errors: { [blockId]: 'Say <why>.' } }, CONTEXT);
    expect(html).toContain('<div class="b-input has-error">');
    expect(html).toContain('<div class="field-error" role="alert">Say &lt;why&gt;.</div>');
  });

  it('renders checkboxes with their options', () => {
    const html = blocksToHtml(
      [
        {
          type: 'input',
          block_id: 'opts',
          label: { type: 'plain_text', text: 'Options' },
          element: {
            type: 'checkboxes',
            action_id: 'o',
            options: [{ text: { type: 'mrkdwn', text: '*pty*' }, value: 'pty' }],
          },
        },
      ],
      CONTEXT,
    );
    expect(html).toContain('data-type="checkboxes"');
    expect(html).toContain('<label><input type="checkbox" value="pty"> <strong>pty</strong></label>');
  });

  it('lets no user text become markup: <script> in a reason shows as text', () => {
    const view = requestView({
      reason: '<script>alert(1)</script> <img src=x onerror=alert(1)>',
      requester: 'U0ALICE',
    });
    const html = blocksToHtml(approvalMessage(view, T0).blocks, CONTEXT);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(tagsOf(html).filter((tag) => !ALLOWED_TAGS.has(tag))).toEqual([]);
    expect(tagsOf(html)).not.toContain('img');
  });
});
