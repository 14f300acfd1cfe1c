import { formatDuration } from '../domain/duration.js';
import type { PeopleSet, Policy, Target, Workflow } from '../domain/workflow.js';

/**
 * The policy as a plain-text table, one row per target, for `npm run workflows -- check`: what
 * a reviewer of a workflow change wants to see at a glance (who approves, how long, which
 * bypasses exist).
 */

const HEADER = [
  'target',
  'workflow',
  'hosts',
  'principals',
  'approvers',
  'approvals',
  'max',
  'extend',
  'breakglass',
  'vendor',
  'auto-approve',
];

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? '' : 's'}`;
}

function people(set: PeopleSet): string {
  return [...set.users, ...set.groups].join(', ');
}

function breakglass(workflow: Workflow): string {
  const policy = workflow.breakglass;
  if (policy?.allowed !== true) return 'no';
  const incident = policy.requireIncident ? ' (incident only)' : '';
  return `yes ≤${formatDuration(policy.maxDuration)} → ${policy.notifyChannel}${incident}`;
}

function vendor(workflow: Workflow): string {
  const policy = workflow.vendor;
  if (policy?.allowed !== true) return 'no';
  return `${plural(policy.approvalsRequired, 'approval')} ≤${formatDuration(policy.maxDuration)}`;
}

/** How a standard grant may be extended: its total cap, and up to where it is extended at once. */
function extend(workflow: Workflow): string {
  const rules = workflow.extend?.standard;
  if (rules?.allowed !== true) return 'no';
  const auto = rules.autoWithin === undefined ? '' : `, at once ≤${formatDuration(rules.autoWithin)}`;
  return `≤${formatDuration(rules.maxTotal)} total${auto}`;
}

function autoApprove(workflow: Workflow): string {
  const pagerduty = workflow.access.autoApprove?.pagerduty;
  return pagerduty === undefined ? 'no' : `PagerDuty ≤${formatDuration(pagerduty.maxDuration)}`;
}

function row(workflow: Workflow, target: Target): string[] {
  const { access } = workflow;
  return [
    target.name,
    workflow.name,
    target.hosts.join(', '),
    target.principals.join(', '),
    people(access.approvers),
    `${access.approvalsRequired}${access.allowSelfApproval ? ' (self ok)' : ''}`,
    formatDuration(access.maxDuration),
    extend(workflow),
    breakglass(workflow),
    vendor(workflow),
    autoApprove(workflow),
  ];
}

/** Left-aligned columns two spaces apart; no trailing spaces. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const cells of rows) cells.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows
    .map((cells) =>
      cells
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The table of every target, then `N workflows, M targets: OK`. */
export function describePolicy(policy: Policy): string {
  const rows = policy.workflows.flatMap((workflow) => workflow.targets.map((target) => row(workflow, target)));
  const summary = `${plural(policy.workflows.length, 'workflow')}, ${plural(rows.length, 'target')}: OK`;
  return `${formatTable([HEADER, ...rows])}\n\n${summary}\n`;
}
