import { describe, expect, it } from 'vitest';
import { inPeopleSet, possibleApprovers, unionPeopleSets } from '../../../src/domain/people.js';
import { member } from '../../support/policy-builders.js';

const SRE_AND_LEAD = { users: ['U0LEAD'], groups: ['S0SRE', 'S0DBA'] };

describe('inPeopleSet', () => {
  it.each([
    ['a listed user', member('U0LEAD'), true],
    ['a member of a listed group', member('U1', 'S0SRE'), true],
    ['a member of the second listed group among others', member('U2', 'S0OTHER', 'S0DBA'), true],
    ['someone in no listed group', member('U3', 'S0OTHER'), false],
    ['someone in no group at all', member('U4'), false],
  ])('says %s is %s', (_who, person, expected) => {
    expect(inPeopleSet(SRE_AND_LEAD, person)).toBe(expected);
  });

  it('treats a user ID that merely equals a group ID as no membership', () => {
    expect(inPeopleSet({ users: [], groups: ['S0SRE'] }, member('S0SRE'))).toBe(false);
  });

  it('lets nobody into an empty set', () => {
    expect(inPeopleSet({ users: [], groups: [] }, member('U0LEAD', 'S0SRE'))).toBe(false);
  });
});

describe('possibleApprovers', () => {
  it('lists listed users and group members once each, sorted', () => {
    const groups = new Map([
      ['S0SRE', ['U9', 'U0LEAD', 'U3']],
      ['S0DBA', ['U3', 'U1']],
    ]);
    expect(possibleApprovers(SRE_AND_LEAD, groups)).toEqual(['U0LEAD', 'U1', 'U3', 'U9']);
  });

  it('counts a group the directory does not know as nobody', () => {
    expect(possibleApprovers(SRE_AND_LEAD, new Map())).toEqual(['U0LEAD']);
  });

  it('finds nobody for an empty set', () => {
    expect(possibleApprovers({ users: [], groups: [] }, new Map([['S0SRE', ['U1']]]))).toEqual([]);
  });
});

describe('unionPeopleSets', () => {
  it('keeps everyone from both sets and lists each once', () => {
    expect(
      unionPeopleSets({ users: ['U1', 'U2'], groups: ['S1'] }, { users: ['U2', 'U3'], groups: ['S1', 'S2'] }),
    ).toEqual({
      users: ['U1', 'U2', 'U3'],
      groups: ['S1', 'S2'],
    });
  });
});
