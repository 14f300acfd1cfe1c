import { describe, expect, it } from 'vitest';
import { canSponsor, findTarget, mayRequest, targetsFor } from '../../../src/domain/requestable-targets.js';
import { member, policy, workflow } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const production = workflow({
  name: 'production',
  targets: ['prod-web', 'prod-db'],
  access: { requesters: { users: ['U0CONTRACTOR'], groups: ['S0ENG'] } },
});
const staging = workflow({ name: 'staging', targets: ['staging', 'Zeta-lab', 'alpha'] });
const finance = workflow({
  name: 'finance',
  targets: ['ledger'],
  access: { requesters: { users: [], groups: ['S0FIN'] } },
});
const everything = policy(production, staging, finance);

const names = (list: readonly { target: { name: string } }[]) => list.map(({ target }) => target.name);

describe('targetsFor', () => {
  it.each([
    ['an engineer', member('U1', 'S0ENG'), ['Zeta-lab', 'alpha', 'prod-db', 'prod-web', 'staging']],
    [
      'a listed user outside the groups',
      member('U0CONTRACTOR'),
      ['Zeta-lab', 'alpha', 'prod-db', 'prod-web', 'staging'],
    ],
    ['someone in finance', member('U2', 'S0FIN'), ['Zeta-lab', 'alpha', 'ledger', 'staging']],
    ['someone in no group', member('U3'), ['Zeta-lab', 'alpha', 'staging']],
  ])('lists what %s may request, sorted by name', (_who, person, expected) => {
    expect(names(targetsFor(everything, person))).toEqual(expected);
  });

  it('pairs each target with the workflow that governs it', () => {
    const found = targetsFor(everything, member('U1', 'S0ENG')).find(({ target }) => target.name === 'prod-db');
    expect(found?.workflow).toBe(production);
  });

  it('lists nothing when there are no workflows', () => {
    expect(targetsFor(policy(), member('U1'))).toEqual([]);
  });
});

describe('mayRequest', () => {
  it('lets anyone request from a workflow that names no requesters', () => {
    expect(mayRequest(staging, member('U9'))).toBe(true);
    expect(mayRequest(production, member('U9'))).toBe(false);
  });
});

describe('findTarget', () => {
  it('finds a target the member may request, ignoring surrounding spaces', () => {
    const found = findTarget(everything, ' prod-db ', member('U1', 'S0ENG'));
    expect(found.target.name).toBe('prod-db');
    expect(found.workflow).toBe(production);
  });

  it('refuses an unknown target with unknown_target and lists what the member may request', () => {
    const error = thrown(() => findTarget(everything, 'prod-dbx', member('U1', 'S0ENG')));
    expect(error.code).toBe('unknown_target');
    expect(error.message).toBe(
      'there is no target "prod-dbx" (you may request: Zeta-lab, alpha, prod-db, prod-web, staging)',
    );
    expect(error.details).toEqual({
      target: 'prod-dbx',
      allowed: ['Zeta-lab', 'alpha', 'prod-db', 'prod-web', 'staging'],
    });
  });

  it('says so when the member may request nothing at all', () => {
    const onlyFinance = policy(finance);
    expect(thrown(() => findTarget(onlyFinance, 'prod-db', member('U3'))).message).toBe(
      'there is no target "prod-db" (there is no target you may request)',
    );
  });

  it('refuses a target the member may not request with target_not_allowed', () => {
    const error = thrown(() => findTarget(everything, 'ledger', member('U1', 'S0ENG')));
    expect(error.code).toBe('target_not_allowed');
    expect(error.message).toBe(
      'you may not request ledger (you may request: Zeta-lab, alpha, prod-db, prod-web, staging)',
    );
    expect(error.details).toEqual({
      target: 'ledger',
      workflow: 'finance',
      allowed: ['Zeta-lab', 'alpha', 'prod-db', 'prod-web', 'staging'],
    });
  });

  it('matches target names exactly (a different case is another name)', () => {
    expect(thrown(() => findTarget(everything, 'zeta-lab', member('U1'))).code).toBe('unknown_target');
  });
});

describe('canSponsor', () => {
  it.each([
    ['a member of the sponsor group', workflow(), member('U1', 'S0VENDORMGR'), true],
    ['someone outside the sponsors', workflow(), member('U1', 'S0ENG'), false],
    ['a listed sponsor', workflow({ vendor: { sponsors: { users: ['U7'], groups: [] } } }), member('U7'), true],
    [
      'a sponsor when vendors are switched off',
      workflow({ vendor: { allowed: false } }),
      member('U1', 'S0VENDORMGR'),
      false,
    ],
    ['anyone when the workflow has no vendor rules', workflow({ vendor: null }), member('U1', 'S0VENDORMGR'), false],
  ])('says whether %s may sponsor a vendor session', (_who, wf, person, expected) => {
    expect(canSponsor(wf, person)).toBe(expected);
  });
});
