import { describe, expect, it } from 'vitest';
import { comparePolicies, isEmptyChange, policyInForce, summarizePolicy } from '../../../src/domain/policy-change.js';
import { findTarget, targetsFor } from '../../../src/domain/requestable-targets.js';
import { buildPolicy, type Retirement } from '../../../src/domain/workflow.js';
import { member, policy, target, workflow } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const before = policy(
  workflow({ name: 'production', targets: ['prod-db', 'prod-web'] }),
  workflow({ name: 'staging', targets: ['staging'] }),
);

describe('comparePolicies', () => {
  it('names the targets and workflows added, removed and changed, and what was retired', () => {
    const after = policy(
      workflow({
        name: 'production',
        targets: [
          { ...target('prod-db'), retired: true },
          { ...target('prod-web'), hosts: ['web-2.internal'] },
        ],
      }),
      workflow({ name: 'lab', targets: ['lab-1'] }),
    );
    const change = comparePolicies(summarizePolicy(before, 'h1'), summarizePolicy(after, 'h2'));
    expect(change.targets).toEqual({ added: ['lab-1'], removed: ['staging'], changed: ['prod-db', 'prod-web'] });
    expect(change.workflows).toEqual({ added: ['lab'], removed: ['staging'], changed: ['production'] });
    expect(change.retired).toEqual(['prod-db', 'staging']);
    expect(change.restored).toEqual(['lab-1']);
  });

  it('finds nothing changed between the same policies, whatever the hash', () => {
    expect(isEmptyChange(comparePolicies(summarizePolicy(before, 'a'), summarizePolicy(before, 'b')))).toBe(true);
  });

  it('with nothing recorded before, adds everything and retires nothing', () => {
    const change = comparePolicies(undefined, summarizePolicy(before, 'h'));
    expect(change.targets.added).toEqual(['prod-db', 'prod-web', 'staging']);
    expect(change.retired).toEqual([]);
    expect(change.restored).toEqual([]);
  });
});

describe('policyInForce', () => {
  it('keeps a removed target as retired under its workflow, so the messages about it can render', () => {
    const next = policy(workflow({ name: 'production', targets: ['prod-web'] }));
    const held = policyInForce(before, next, new Map());
    expect(held.targets.get('prod-db')?.target.retired).toBe(true);
    expect(held.targets.get('prod-db')?.workflow.name).toBe('production');
    expect(held.targets.get('staging')?.workflow.name).toBe('staging');
    expect(targetsFor(held, member('U0ANY')).map(({ target: t }) => t.name)).toEqual(['prod-web']);
  });
});

describe('findTarget: retired targets', () => {
  const retirement: Retirement = {
    target: 'prod-db',
    workflow: 'production',
    channel: 'C0ASK',
    at: Date.UTC(2026, 11, 1, 9, 30),
  };

  it('refuses a target marked retired: true, saying when and where to ask', () => {
    const marked = buildPolicy(
      [workflow({ name: 'production', targets: [{ ...target('prod-db'), retired: true }] })],
      new Map([['prod-db', retirement]]),
    );
    const error = thrown(() => findTarget(marked, 'prod-db', member('U0ALICE')));
    expect(error.code).toBe('target_retired');
    expect(error.message).toBe('prod-db was retired on 2026-12-01 09:30 UTC: it takes no new requests');
    expect(error.details).toMatchObject({ channel: 'C0APPROVALS' });
  });

  it('refuses a removed target that has a retirement, with its last workflow’s channel', () => {
    const removed = buildPolicy(
      [workflow({ name: 'production', targets: ['prod-web'] })],
      new Map([['prod-db', retirement]]),
    );
    const error = thrown(() => findTarget(removed, 'prod-db', member('U0ALICE')));
    expect(error.code).toBe('target_retired');
    expect(error.details).toMatchObject({ channel: 'C0ASK', at: retirement.at });
  });

  it('calls a name that was never a target unknown', () => {
    expect(thrown(() => findTarget(before, 'nope', member('U0ALICE'))).code).toBe('unknown_target');
  });
});
