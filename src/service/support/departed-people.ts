import { departedLine, type NamedPerson, namedPeople } from '../../domain/named-people.js';
import type { Workflow } from '../../domain/workflow.js';
import type { Directory } from '../ports/directory.js';

/**
 * The people the workflows name by user ID who are deactivated in the directory, as one line each
 * (`file: path: who`). A lookup that fails is not a departure: that person is left out.
 */
export async function departedPeople(
  directory: Pick<Directory, 'user'>,
  workflows: readonly Workflow[],
): Promise<{ readonly people: readonly NamedPerson[]; readonly lines: readonly string[] }> {
  const named = namedPeople(workflows);
  const ids = [...new Set(named.map((person) => person.userId))];
  const deleted = new Set<string>();
  await Promise.all(
    ids.map(async (id) => {
      const user = await directory.user(id).catch(() => undefined);
      if (user?.deleted) deleted.add(id);
    }),
  );
  const people = named.filter((person) => deleted.has(person.userId));
  return { people, lines: people.map(departedLine) };
}
