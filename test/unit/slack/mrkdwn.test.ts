import { describe, expect, it } from 'vitest';
import {
  code,
  codeBlock,
  escapeClipped,
  escapeMrkdwn,
  link,
  mentionChannel,
  mentionGroup,
  mentionUser,
  slackDate,
  utcFallback,
} from '../../../src/slack/mrkdwn.js';
import { HOSTILE, T0 } from '../../support/slack-builders.js';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here> and <!everyone>', '&lt;!here&gt; and &lt;!everyone&gt;'],
    ['<@U0123ABCD>', '&lt;@U0123ABCD&gt;'],
    ['<!subteam^S0SRE>', '&lt;!subteam^S0SRE&gt;'],
    ['<http://evil.example|innocent>', '&lt;http://evil.example|innocent&gt;'],
    ['fish & chips', 'fish &amp; chips'],
    ['&lt; already an entity', '&amp;lt; already an entity'],
    ['plain text, *bold* and @channel', 'plain text, *bold* and @channel'],
    ['', ''],
  ])('renders %j as text: %j', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('leaves no control sequence of hostile text intact', () => {
    expect(escapeMrkdwn(HOSTILE)).not.toMatch(/[<>]/);
  });
});

describe('escapeClipped', () => {
  it('returns the escaped text when it fits', () => {
    expect(escapeClipped('a & b', 9)).toBe('a &amp; b');
  });

  it('cuts long text with an ellipsis within the limit', () => {
    const clipped = escapeClipped('x'.repeat(50), 10);
    expect(clipped).toBe(`${'x'.repeat(9)}…`);
    expect(clipped.length).toBe(10);
  });

  it('never cuts an entity in half', () => {
    // "ab&" escaped is "ab&amp;" (7); a limit of 6 must drop the whole entity.
    expect(escapeClipped('ab&cd', 6)).toBe('ab…');
  });
});

describe('mentions', () => {
  it('mentions a Slack user by ID', () => {
    expect(mentionUser('U0123ABCD')).toBe('<@U0123ABCD>');
    expect(mentionUser('W0123ABCD')).toBe('<@W0123ABCD>');
  });

  it('shows anything that is not a user ID as escaped text', () => {
    expect(mentionUser('jumpgate')).toBe('jumpgate');
    expect(mentionUser('U0X><!channel')).toBe('U0X&gt;&lt;!channel');
    expect(mentionUser('u0lowercase')).toBe('u0lowercase');
  });

  it('mentions a user group by ID, and escapes anything else', () => {
    expect(mentionGroup('S0SRE')).toBe('<!subteam^S0SRE>');
    expect(mentionGroup('<!channel>')).toBe('&lt;!channel&gt;');
  });

  it('links a channel by ID, and escapes anything else', () => {
    expect(mentionChannel('C0APPROVALS')).toBe('<#C0APPROVALS>');
    expect(mentionChannel('#general<')).toBe('#general&lt;');
  });
});

describe('slackDate', () => {
  it('renders in the reader’s time zone with a UTC fallback', () => {
    expect(slackDate(T0)).toBe('<!date^1800000000^{date_short_pretty} {time}|2027-01-15 08:00 UTC>');
  });

  it('takes a format and drops milliseconds', () => {
    expect(slackDate(T0 + 999, '{time}')).toBe('<!date^1800000000^{time}|2027-01-15 08:00 UTC>');
  });

  it('has a readable UTC fallback', () => {
    expect(utcFallback(T0 + 90 * 60_000)).toBe('2027-01-15 09:30 UTC');
  });
});

describe('code', () => {
  it('wraps text in backticks, escaped', () => {
    expect(code('/jump revoke grant_x')).toBe('`/jump revoke grant_x`');
    expect(code('a<b')).toBe('`a&lt;b`');
  });

  it('keeps a backtick in the text from ending the code span', () => {
    const inline = code('rm `whoami`');
    expect(inline).toBe('`rm ˋwhoamiˋ`');
    expect(inline.slice(1, -1)).not.toContain('`');
  });

  it('keeps inline code on one line and never empty', () => {
    expect(code('a\nb')).toBe('`a b`');
    expect(code('')).toBe('` `');
  });
});

describe('codeBlock', () => {
  it('keeps a certificate exactly, to be copied', () => {
    const cert = 'ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t+/= alice';
    expect(codeBlock(cert)).toBe(`\`\`\`${cert}\`\`\``);
  });

  it('keeps three backticks in the text from ending the block', () => {
    const block = codeBlock('before ``` after');
    expect(block.slice(3, -3)).not.toContain('```');
    expect(block).toBe('```before ˋˋˋ after```');
  });

  it('escapes control characters inside the block', () => {
    expect(codeBlock('<!channel>')).toBe('```&lt;!channel&gt;```');
  });
});

describe('link', () => {
  it('links an http(s) URL with its label escaped', () => {
    expect(link('https://acme.pagerduty.com/incidents/P1', '#42 a & <b>')).toBe(
      '<https://acme.pagerduty.com/incidents/P1|#42 a &amp; &lt;b&gt;>',
    );
    expect(link('http://pd.example/x?a=1&b=2', 'x')).toBe('<http://pd.example/x?a=1&amp;b=2|x>');
  });

  it('keeps the URL inside the link: a pipe or angle brackets are percent-encoded', () => {
    expect(link('https://pd.example/a|<!channel>', 'x')).toBe('<https://pd.example/a%7C%3C!channel%3E|x>');
    expect(link('https://pd.example/?q=<@U0EVIL>#<!here>', 'x')).toBe(
      '<https://pd.example/?q=%3C@U0EVIL%3E#%3C!here%3E|x>',
    );
  });

  it.each(['javascript:alert(1)', 'mailto:a@b.example', 'not a url', '', '<!channel>'])(
    'shows only the label for %j',
    (url) => {
      expect(link(url, '#42 <db>')).toBe('#42 &lt;db&gt;');
    },
  );

  it('clips a long label', () => {
    expect(link('https://pd.example/', 'x'.repeat(50), 10)).toBe(`<https://pd.example/|${'x'.repeat(9)}…>`);
  });
});
