import { describe, expect, it } from 'vitest';
import { breakglassAlert } from '../../../../src/slack/blocks/breakglass-alert.js';
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

const HOUR = 60 * MINUTE;
const TAKEN = '<!date^1800000060^{date_short_pretty} {time}|2027-01-15 08:01 UTC>';
const DUE = '<!date^1800086460^{date_short_pretty} {time}|2027-01-16 08:01 UTC>';

function breakglass(extra: Parameters<typeof requestView>[0] = {}) {
  return requestView({
    id: 'req_abc',
    kind: 'breakglass',
    status: 'approved',
    durationMs: HOUR,
    reason: 'replication broken, primary down',
    approvalsRequired: 0,
    grant: grant({ notBefore: T0 + MINUTE, notAfter: T0 + MINUTE + HOUR }),
    review: { dueAt: T0 + MINUTE + 24 * HOUR },
    ...extra,
  });
}

describe('breakglassAlert', () => {
  it('pings the channel with who took what, for how long and when; then why, and where the review is due', () => {
    const message = breakglassAlert(breakglass());
    expect(textsOf(message.blocks)).toEqual([
      `<!here> :rotating_light: Breakglass: <@U0ALICE> took access to *prod-db* (dbadmin on db-1.internal, db-2.internal) for 1h at ${TAKEN}.`,
      '*Reason*\nreplication broken, primary down',
      `Review due by ${DUE} in <#C0APPROVALS>.`,
      'Request `req_abc`',
    ]);
    expect(message.text).toBe('<!here> Breakglass: <@U0ALICE> took access to prod-db for 1h');
  });

  it('names the incident it was taken during', () => {
    const incident = {
      id: 'PINC1',
      number: 42,
      title: 'Database down',
      url: 'https://acme.pagerduty.com/incidents/PINC1',
      serviceId: 'PSVC456',
      endWithIncident: false,
    };
    expect(textsOf(breakglassAlert(breakglass({ incident })).blocks)).toContain(
      'Justified by incident <https://acme.pagerduty.com/incidents/PINC1|#42 Database down>',
    );
  });

  it('points the review at the channel its message was posted in', () => {
    const message = breakglassAlert(breakglass({ message: { channel: 'C0OTHER', ts: '1.000001' } }));
    expect(textsOf(message.blocks)).toContain(`Review due by ${DUE} in <#C0OTHER>.`);
  });

  it('pings only with its own <!here>: the reason, the incident title and configured names are escaped', () => {
    const incident = {
      id: 'PINC1',
      number: 42,
      title: HOSTILE,
      url: 'https://acme.pagerduty.com/incidents/PINC1',
      serviceId: 'PSVC456',
      endWithIncident: false,
    };
    const view = breakglass({
      reason: HOSTILE,
      incident,
      grant: grant({ hosts: ['<!channel>'], principals: ['<@U0EVIL>'] }),
    });
    const message = breakglassAlert({ ...view, target: { ...view.target, name: '<!subteam^S0EVIL>' } });
    expect(unescapedControls(allText(message))).toEqual([]);
    expect(allText(message).match(/<!here>/g)).toHaveLength(2);
    expect(textsOf(message.blocks)[1]).toBe(
      '*Reason*\n&lt;!channel&gt; &lt;@U0EVIL&gt; &lt;!subteam^S0EVIL&gt; &lt;http://evil.example|click me&gt; a &amp; b ``` `x`',
    );
  });
});
