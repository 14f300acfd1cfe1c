import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, link, slackDate } from '../../../../src/slack/mrkdwn.js';
import type { RenderContext } from '../../../../src/workspace/render/html.js';
import { mrkdwnToHtml } from '../../../../src/workspace/render/mrkdwn-html.js';

/** 2027-01-15 08:30 UTC. */
const AT = Date.UTC(2027, 0, 15, 8, 30);

function context(overrides: Partial<RenderContext> = {}): RenderContext {
  return {
    users: new Map([['U0ALICE', 'Alice Martin']]),
    groups: new Map([['S0SRELEADS', 'sre-leads']]),
    channels: new Map([['C0PRODAPPROVALS', 'prod-approvals']]),
    timeZone: 'Europe/Paris',
    now: AT,
    ...overrides,
  };
}

describe('mrkdwnToHtml', () => {
  it('renders bold, italic, strike, inline code, line breaks and quotes', () => {
    expect(mrkdwnToHtml('*granted* _now_ ~never~ `prod-db`\nnext line', context())).toBe(
      '<strong>granted</strong> <em>now</em> <s>never</s> <code>prod-db</code><br>next line',
    );
    expect(mrkdwnToHtml('&gt; quoted\nafter', context())).toBe('<blockquote>quoted</blockquote>after');
  });

  it('keeps a code block exactly, with a copy button, and offers ssh-keygen -L for a certificate', () => {
    const html = mrkdwnToHtml('Save this:\n```ssh-ed25519-cert-v01@openssh.com AAAA grant_x```', context());
    expect(html).toContain('<pre>ssh-ed25519-cert-v01@openssh.com AAAA grant_x</pre>');
    expect(html).toContain('data-copy');
    expect(html).toContain('data-inspect');
    expect(mrkdwnToHtml('```*not bold* &lt;b&gt;```', context())).toContain('<pre>*not bold* &lt;b&gt;</pre>');
  });

  it('shows user, channel and group mentions as names, and unknown ids as the id', () => {
    const html = mrkdwnToHtml('<@U0ALICE> in <#C0PRODAPPROVALS> for <!subteam^S0SRELEADS> and <@U0NOBODY>', context());
    expect(html).toBe(
      '<span class="mention user">@Alice Martin</span> in <span class="mention channel">#prod-approvals</span> for ' +
        '<span class="mention group">@sre-leads</span> and <span class="mention user">@U0NOBODY</span>',
    );
  });

  it('shows Slack date tokens in the reader’s time zone, with Today for today', () => {
    const token = slackDate(AT);
    expect(mrkdwnToHtml(token, context())).toBe('<time>Today 9:30 AM</time>');
    expect(mrkdwnToHtml(token, context({ timeZone: 'America/New_York' }))).toBe('<time>Today 3:30 AM</time>');
    expect(mrkdwnToHtml(token, context({ now: AT + 86_400_000 }))).toBe('<time>Yesterday 9:30 AM</time>');
    expect(mrkdwnToHtml(slackDate(AT, '{date_num} {time_secs}'), context())).toBe('<time>2027-01-15 9:30:00 AM</time>');
  });

  it('links http(s) URLs only, and shows any other scheme as its label', () => {
    expect(mrkdwnToHtml(link('https://pd.example/incidents/1', 'incident #1'), context())).toBe(
      '<a href="https://pd.example/incidents/1" target="_blank" rel="noopener noreferrer">incident #1</a>',
    );
    expect(mrkdwnToHtml('<javascript:alert(1)|click me>', context())).toBe('click me');
  });

  it('turns the emoji codes the bot uses into emoji and leaves other codes as text', () => {
    expect(mrkdwnToHtml(':key: granted :not_an_emoji:', context())).toBe('🔑 granted :not_an_emoji:');
  });

  it('never turns a person’s text into HTML: <script> in a reason shows as text', () => {
    const reason = '<script>alert("x")</script> & <img src=x onerror=alert(1)> \'quoted\'';
    const html = mrkdwnToHtml(`*Reason*\n${escapeMrkdwn(reason)}`, context());
    expect(html).toBe(
      '<strong>Reason</strong><br>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt; &#39;quoted&#39;',
    );
  });

  it('escapes text even when it reaches the renderer without Slack’s escaping', () => {
    const html = mrkdwnToHtml('<script>alert(1)</script> "a" `<b>` ```<i>```', context());
    expect(html).not.toMatch(/<(script|b|i)[\s>]/);
    expect(html).toContain('&quot;a&quot;');
    expect(html).toContain('<code>&lt;b&gt;</code>');
  });
});
