import type { PeopleSet } from './workflow.js';

/**
 * A person as policy sees them: their Slack user ID and the Slack user groups they belong to.
 * The groups are resolved by the caller (through the Directory port) before any rule runs, so
 * every rule here stays a pure function of its arguments.
 */
export interface Member {
  readonly userId: string;
  readonly groups: ReadonlySet<string>;
}

/** True when the member is listed by user ID or belongs to one of the listed groups. */
export function inPeopleSet(set: PeopleSet, member: Member): boolean {
  return set.users.includes(member.userId) || set.groups.some((group) => member.groups.has(group));
}

/**
 * Everyone who could act for `set`: its users plus the current members of its groups, distinct
 * and sorted so that messages and tests do not depend on directory order. A group missing from
 * `groupMembers` contributes nobody (the directory did not know it, or it is empty).
 */
export function possibleApprovers(set: PeopleSet, groupMembers: ReadonlyMap<string, readonly string[]>): string[] {
  const people = new Set(set.users);
  for (const group of set.groups) {
    for (const userId of groupMembers.get(group) ?? []) people.add(userId);
  }
  return [...people].sort();
}

/** Everyone in either set, each user and group listed once, in first-seen order. */
export function unionPeopleSets(a: PeopleSet, b: PeopleSet): PeopleSet {
  return {
    users: [...new Set([...a.users, ...b.users])],
    groups: [...new Set([...a.groups, ...b.groups])],
  };
}
