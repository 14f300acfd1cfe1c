import type { PeopleSet, Workflow } from './workflow.js';

/** A person a workflow names by user ID, and in which role (for the warning that they left). */
export interface NamedPerson {
  readonly userId: string;
  readonly workflow: string;
  readonly file: string;
  /** The YAML path that names them, e.g. `access.approvers.users`. */
  readonly path: string;
}

/**
 * Everyone the workflows name by user ID as approver, escalation approver, requester, vendor
 * sponsor or vendor approver: the people a policy silently depends on. Groups are left out (a
 * person who leaves drops out of their groups by themselves).
 */
export function namedPeople(workflows: readonly Workflow[]): NamedPerson[] {
  const named: NamedPerson[] = [];
  for (const workflow of workflows) {
    const add = (set: PeopleSet | undefined, path: string) => {
      for (const userId of set?.users ?? []) named.push({ userId, workflow: workflow.name, file: workflow.file, path });
    };
    add(workflow.access.approvers, 'access.approvers.users');
    add(workflow.access.escalationApprovers, 'access.escalation_approvers.users');
    add(workflow.access.requesters, 'access.requesters.users');
    add(workflow.vendor?.sponsors, 'vendor.sponsors.users');
    add(workflow.vendor?.approvers, 'vendor.approvers.users');
  }
  return named;
}

/** The line a person reads: `workflows/prod.yml: access.approvers.users: U0LEAD is deactivated in Slack`. */
export function departedLine(person: NamedPerson): string {
  return `${person.file}: ${person.path}: ${person.userId} is deactivated in Slack (remove them, or name who replaces them)`;
}
