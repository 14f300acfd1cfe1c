import { describe, expect, it } from 'vitest';
import { targetsMessage } from '../../../../src/slack/blocks/targets-message.js';
import { HOUR, workflow } from '../../../support/policy-builders.js';
import { textsOf, unescapedControls } from '../../../support/slack-builders.js';

describe('targetsMessage', () => {
  it('shows each target with hosts, limits, approvals and breakglass', () => {
    const production = workflow({
      targets: [{ name: 'prod-db', hosts: ['db-1.internal', 'db-2.internal'], principals: ['dbadmin'] }],
    });
    const staging = workflow({
      name: 'staging',
      targets: ['staging-web'],
      access: { approvalsRequired: 2, maxDuration: 8 * HOUR, defaultDuration: HOUR },
      breakglass: null,
    });
    const message = targetsMessage([
      { target: production.targets[0]!, workflow: production },
      { target: staging.targets[0]!, workflow: staging },
    ]);
    expect(message.text).toBe('You may request 2 targets.');
    expect(textsOf(message.blocks)).toEqual([
      '*Targets you may request* (2)',
      '*prod-db* — hosts: db-1.internal, db-2.internal\nmax 4h (default 30m) · 1 approval required · breakglass: yes (up to 1h)',
      '*staging-web* — hosts: staging-web-1.internal\nmax 8h (default 1h) · 2 approvals required · breakglass: no',
      'Ask with `/jump request &lt;target&gt; [&lt;duration&gt;] [&lt;reason…&gt;]`',
    ]);
  });

  it('says when there is nothing the person may request', () => {
    expect(targetsMessage([]).text).toBe('There is no target you may request.');
  });

  it('escapes configured host names', () => {
    const flow = workflow({ targets: [{ name: 'prod-db', hosts: ['<!channel>'], principals: ['x'] }] });
    expect(
      unescapedControls(textsOf(targetsMessage([{ target: flow.targets[0]!, workflow: flow }]).blocks).join('\n')),
    ).toEqual([]);
  });
});
