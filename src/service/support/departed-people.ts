import { departedLine, type NamedPerson, namedPeople } from '../../domain/named-people.js';
import type { Workflow } from '../../domain/workflow.js';
import type { Directory } from '../ports/directory.js';

/**
 * The people the workflows name by user ID who are deactivated in the directory, as one line each
 * (`file: path: who`). A lookup that fails is not a departure: that person is listed in `unknown`.
 */
export async function departedPeople(
  directory: Pick<Directory, 'user'>,
  workflows: readonly Workflow[],
): Promise<{
  readonly people: readonly NamedPerson[];
  readonly lines: readonly string[];
  /** The people the directory could not answer about (nothing is concluded about them). */
  readonly unknown: readonly string[];
}> {
  const named = namedPeople(workflows);
  const ids = [...new Set(named.map((person) => person.userId))];
  const deleted = new Set<string>();
  const unknown: string[] = [];
  await Promise.all(
    ids.map(async (id) => {
      try {
        if ((await directory.user(id))?.deleted) deleted.add(id);
      } catch {
        unknown.push(id);
      }
    }),
  );
  const people = named.filter((person) => deleted.has(person.userId));
  return { people, lines: people.map(departedLine), unknown: unknown.sort() };
}
