import type { Member } from '../../domain/people.js';
import type { PeopleSet } from '../../domain/workflow.js';
import type { Directory } from '../ports/directory.js';

/**
 * The person as the policy sees them: their id and which of the groups that matter here they
 * belong to. Only the groups named in `sets` are looked up (Slack has no "groups of a user" call).
 */
export async function resolveMember(
  directory: Directory,
  userId: string,
  sets: readonly (PeopleSet | undefined)[],
): Promise<Member> {
  const groupIds = new Set(sets.flatMap((set) => set?.groups ?? []));
  const groups = new Set<string>();
  await Promise.all(
    [...groupIds].map(async (groupId) => {
      if ((await directory.membersOf(groupId)).includes(userId)) groups.add(groupId);
    }),
  );
  return { userId, groups };
}
