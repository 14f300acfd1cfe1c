import { describe, expect, it } from 'vitest';
import { helpMessage } from '../../../../src/slack/blocks/help-message.js';
import { textsOf } from '../../../support/slack-builders.js';

describe('helpMessage', () => {
  it('lists every subcommand with its usage line, escaped, in grammar order', () => {
    const lines = textsOf(helpMessage().blocks)[1]!.split('\n');
    expect(lines.map((line) => line.split('` — ')[0])).toEqual([
      '`/jump request &lt;target&gt; [&lt;duration&gt;] [&lt;reason…&gt;]',
      '`/jump breakglass &lt;target&gt; [&lt;duration&gt;] &lt;reason…&gt;',
      '`/jump vendor &lt;vendor-email&gt; &lt;target&gt; &lt;duration&gt; &lt;reason…&gt;',
      '`/jump key &lt;ssh-public-key&gt;',
      '`/jump list',
      '`/jump extend &lt;grant-id&gt; &lt;duration&gt;',
      '`/jump revoke &lt;grant-id&gt;',
      '`/jump targets',
      '`/jump help',
    ]);
    expect(lines[0]).toBe(
      '`/jump request &lt;target&gt; [&lt;duration&gt;] [&lt;reason…&gt;]` — ask for time-bound access to a target; with nothing after it, a form opens',
    );
  });

  it('leaves out what this deployment does not offer', () => {
    const text = textsOf(helpMessage(['request', 'list', 'help']).blocks)[1]!;
    expect(text.split('\n')).toHaveLength(3);
    expect(text).not.toContain('breakglass');
  });

  it('shows the duration forms and an example', () => {
    expect(textsOf(helpMessage().blocks).at(-1)).toBe(
      "Durations: `90s`, `30m`, `2h`, `1h30m`, `1d` (the target's default when left out). Example: `/jump request prod-db 30m fix replication INC-42`",
    );
  });
});
