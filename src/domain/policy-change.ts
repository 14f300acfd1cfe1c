import type { Policy, Retirement } from './workflow.js';

/*
 * What a reload changed. The policy in force is remembered (in the store) as a summary: each
 * target and workflow by name with a fingerprint of its settings, so every replica compares what
 * it loaded with what was in force, whoever loaded it, and a target that disappeared while no bot
 * was running is still noticed at the next start.
 */

export interface TargetSummary {
  readonly workflow: string;
  /** Where people are told to ask once it is retired (its workflow's approval channel). */
  readonly channel: string;
  readonly retired: boolean;
  /** Canonical JSON of the target's settings and its workflow's name. */
  readonly fingerprint: string;
}

export interface PolicySummary {
  /** Hash of the workflow files (names and contents), as loaded. */
  readonly hash: string;
  readonly targets: Readonly<Record<string, TargetSummary>>;
  /** Workflow name → canonical JSON of its settings (targets included). */
  readonly workflows: Readonly<Record<string, string>>;
}

export interface NameChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export interface PolicyChange {
  readonly targets: NameChanges;
  readonly workflows: NameChanges;
  /** Targets that took requests before and now do not: marked `retired: true`, or removed. */
  readonly retired: readonly string[];
  /** Targets that were retired (or absent) and take requests again. */
  readonly restored: readonly string[];
}

export function summarizePolicy(policy: Policy, hash: string): PolicySummary {
  const targets: Record<string, TargetSummary> = {};
  for (const [name, { workflow, target }] of policy.targets) {
    targets[name] = {
      workflow: workflow.name,
      channel: workflow.access.channel,
      retired: target.retired === true,
      fingerprint: JSON.stringify({ workflow: workflow.name, ...target }),
    };
  }
  const workflows: Record<string, string> = {};
  for (const workflow of policy.workflows) {
    const { file: _file, ...settings } = workflow;
    workflows[workflow.name] = JSON.stringify(settings);
  }
  return { hash, targets, workflows };
}

function changesOf<T>(
  before: Readonly<Record<string, T>>,
  after: Readonly<Record<string, T>>,
  same: (a: T, b: T) => boolean,
): NameChanges {
  const names = (record: Readonly<Record<string, T>>) => Object.keys(record).sort();
  const added = names(after).filter((name) => !(name in before));
  const removed = names(before).filter((name) => !(name in after));
  const changed = names(after).filter((name) => {
    const a = before[name];
    const b = after[name];
    return a !== undefined && b !== undefined && !same(a, b);
  });
  return { added, removed, changed };
}

/**
 * What changed from `before` (the policy in force; undefined when none was recorded yet, the first
 * start) to `after`. With no `before`, every target is added and none is retired: the targets
 * already retired in the files are handled by the caller all the same (retiring is idempotent).
 */
export function comparePolicies(before: PolicySummary | undefined, after: PolicySummary): PolicyChange {
  const old = before ?? { hash: '', targets: {}, workflows: {} };
  const targets = changesOf(old.targets, after.targets, (a, b) => a.fingerprint === b.fingerprint);
  const workflows = changesOf(old.workflows, after.workflows, (a, b) => a === b);
  const live = (summary: TargetSummary | undefined) => summary !== undefined && !summary.retired;
  const names = [...new Set([...Object.keys(old.targets), ...Object.keys(after.targets)])].sort();
  const retired = names.filter((name) => live(old.targets[name]) && !live(after.targets[name]));
  const restored = names.filter(
    (name) => before !== undefined && !live(old.targets[name]) && live(after.targets[name]),
  );
  return { targets, workflows, retired, restored };
}

/** True when nothing a person could notice changed (the same files, or only their formatting). */
export function isEmptyChange(change: PolicyChange): boolean {
  const none = (c: NameChanges) => c.added.length + c.removed.length + c.changed.length === 0;
  return none(change.targets) && none(change.workflows);
}

/** Every target the policy marks `retired: true`. */
export function retiredTargets(policy: Policy): string[] {
  return [...policy.targets.values()].filter(({ target }) => target.retired).map(({ target }) => target.name);
}

/**
 * The policy to hold in force after `next` was loaded over `previous`: `next`, plus every target
 * `previous` had and `next` lacks, kept as retired under the workflow it was in (so the messages
 * about its last grants and requests can still be rendered while they end), with `retirements`.
 * A kept target never takes a request: it is retired, and it is not in any workflow's target list.
 */
export function policyInForce(previous: Policy, next: Policy, retirements: ReadonlyMap<string, Retirement>): Policy {
  const targets = new Map(next.targets);
  const workflows = [...next.workflows];
  for (const [name, entry] of previous.targets) {
    if (targets.has(name)) continue;
    const workflow = next.workflows.find((w) => w.name === entry.workflow.name) ?? entry.workflow;
    if (!workflows.includes(workflow)) workflows.push(workflow);
    targets.set(name, { workflow, target: { ...entry.target, retired: true } });
  }
  return { workflows, targets, retirements };
}
