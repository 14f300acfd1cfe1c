import { describe, expect, it } from 'vitest';
import { type Extension, type GrantRecord, grantIdFor } from '../../../src/domain/access-request.js';
import { grantMismatches } from '../../../src/domain/grant-check.js';
import { accessRequest } from '../../support/builders.js';
import { HOUR, MINUTE, policy, workflow } from '../../support/policy-builders.js';

const NOW = 1_800_000_000_000;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGy8kC8ex5zG6hZ0Ok3bJkS4w7O3XnE9tP1rJw2m8Q1a alice@laptop';
const PROD_DB = { name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] };
const EXTEND = {
  standard: { allowed: true, maxTotal: 4 * HOUR, autoWithin: 2 * HOUR },
  breakglass: { allowed: false, maxTotal: 0 },
  vendor: { allowed: false, maxTotal: 0 },
};
const POLICY = policy(workflow({ targets: [PROD_DB], extend: EXTEND }));
const NO_EXTEND = policy(workflow({ targets: [PROD_DB] }));

const id = 'req_abcd2345';
const first = NOW - 50 * MINUTE;

function extension(overrides: Partial<Extension> = {}): Extension {
  return {
    window: 2,
    by: 'U0ALICE',
    at: NOW,
    addedMs: HOUR,
    fromNotAfter: first + HOUR,
    toNotAfter: first + 2 * HOUR,
    previousGrantId: grantIdFor(id),
    how: 'auto',
    approvals: [],
    ...overrides,
  };
}

/** The check of the extended window, as the extension is about to ask the broker for it. */
function check(extensions: Extension[], overrides: { grant?: Partial<GrantRecord>; policy?: typeof POLICY } = {}) {
  const request = accessRequest({
    id,
    status: 'active',
    sshPublicKey: KEY,
    approvals: [{ userId: 'U0LEAD', at: first }],
    extensions,
  });
  const last = extensions.at(-1);
  const grant: GrantRecord = {
    id: grantIdFor(id, 1 + extensions.length),
    notBefore: first,
    notAfter: last?.toNotAfter ?? first + HOUR,
    principals: ['dbadmin'],
    hosts: ['db-1.internal'],
    ...overrides.grant,
  };
  return grantMismatches({
    request,
    grant,
    policy: overrides.policy ?? POLICY,
    groupMembers: new Map(),
    registeredKey: KEY,
    now: NOW,
  }).map((m) => `${m.check}: ${m.message}`);
}

describe('the grant check of an extended window', () => {
  it('accepts a window past max_duration when the extend rules allow it', () => {
    expect(check([extension()])).toEqual([]);
    expect(
      check([
        extension(),
        extension({
          window: 3,
          fromNotAfter: first + 2 * HOUR,
          toNotAfter: first + 4 * HOUR,
          addedMs: 2 * HOUR,
          previousGrantId: grantIdFor(id, 2),
          how: 'approved',
          approvals: [{ userId: 'U0LEAD', at: NOW }],
        }),
      ]),
    ).toEqual([]);
  });

  it('refuses a grant id not derived for the window, a total past max_total, and an extension past auto_within', () => {
    expect(check([extension()], { grant: { id: grantIdFor(id) } })).toContain(
      `grant_id: grant id ${grantIdFor(id)} is not the one derived from ${id}`,
    );
    const long = extension({
      toNotAfter: first + 5 * HOUR,
      addedMs: 4 * HOUR,
      how: 'approved',
      approvals: [{ userId: 'U0LEAD', at: NOW }],
    });
    expect(check([long])).toContain('window: a window of 5h is longer than the maximum (4h)');
    const beyond = extension({ toNotAfter: first + 3 * HOUR, addedMs: 2 * HOUR });
    expect(check([beyond])).toContain('window: extension 1 was granted at once beyond auto_within');
  });

  it('refuses an approval by someone who may not approve, and any extension where the workflow has none', () => {
    const self = extension({ how: 'approved', approvals: [{ userId: 'U0ALICE', at: NOW }] });
    expect(check([self])).toEqual([
      'window: U0ALICE may not approve extension 1',
      'window: extension 1 needs 1 distinct eligible approvals, 0 recorded',
    ]);
    expect(check([extension()], { policy: NO_EXTEND })).toContain(
      'window: production does not let standard grants be extended',
    );
  });
});
