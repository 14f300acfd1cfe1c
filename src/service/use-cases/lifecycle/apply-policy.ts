import { SYSTEM_ACTOR } from '../../../domain/audit-entry.js';
import {
  comparePolicies,
  type PolicyChange,
  type PolicySummary,
  policyInForce,
  summarizePolicy,
} from '../../../domain/policy-change.js';
import type { Policy, Retirement } from '../../../domain/workflow.js';
import type { LifecycleDeps } from '../../deps.js';
import { departedPeople } from '../../support/departed-people.js';
import { notifySafely } from '../../support/notify-safely.js';
import type { PolicyHolder } from '../../support/policy-holder.js';
import { openRequests } from './end-requests.js';
import { createRetireTarget, type RetiredHow } from './retire-target.js';

/** Replicas that keep recording a policy at the same moment: this many losses means a bug. */
const MAX_ATTEMPTS = 10;

export interface PolicyApplied {
  /** What changed against the policy recorded in force; undefined when it was the same files. */
  readonly change?: PolicyChange;
  /** True when this process wrote the `policy_changed` record (another replica may have). */
  readonly recorded: boolean;
  /** The targets retired by this change (marked or removed). */
  readonly retired: readonly string[];
  /** Lines naming people the workflows name who are deactivated in Slack. */
  readonly departed: readonly string[];
}

/**
 * Puts a loaded policy in force, in this process, at start-up and on every reload. It is compared
 * with the policy recorded in force (whoever recorded it): a different one is recorded with one
 * `policy_changed` record (the hash and the targets and workflows added, removed and changed),
 * written by whichever replica gets there first. Then it is held in force, with every target the
 * previous one had and this one lacks kept as retired, and the retired targets are de-provisioned
 * (see retire-target.ts). People the workflows name who left are reported (logged, and posted to
 * the admin channel when there is one).
 */
export function createApplyPolicy(deps: LifecycleDeps & { readonly holder: PolicyHolder }) {
  const retireTarget = createRetireTarget(deps);

  async function record(
    summary: PolicySummary,
  ): Promise<{ change?: PolicyChange; before?: PolicySummary; recorded: boolean }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const before = await deps.records.policyInForce();
      if (before?.hash === summary.hash) return { before, recorded: false };
      const change = comparePolicies(before, summary);
      const written = await deps.records.recordPolicy(summary, before?.hash, {
        type: 'policy_changed',
        requestId: null,
        actor: SYSTEM_ACTOR,
        target: null,
        detail: {
          hash: summary.hash,
          previous: before?.hash ?? null,
          targets: change.targets,
          workflows: change.workflows,
          retired: change.retired,
        },
      });
      if (written) return { change, ...(before ? { before } : {}), recorded: true };
    }
    throw new Error(`the policy in force kept changing under ${MAX_ATTEMPTS} attempts to record it`);
  }

  return async function applyPolicy(loaded: {
    readonly policy: Policy;
    readonly hash: string;
  }): Promise<PolicyApplied> {
    const previous = deps.holder.current();
    const summary = summarizePolicy(loaded.policy, loaded.hash);
    const { change, before, recorded } = await record(summary);
    const now = deps.now();
    const known = await deps.records.retirements();
    const retirements = new Map(known);
    const toRetire: { retirement: Retirement; how: RetiredHow }[] = [];
    for (const [name, { workflow, target }] of loaded.policy.targets) {
      if (!target.retired) {
        if (known.has(name)) {
          await deps.records.forgetRetirement(name);
          retirements.delete(name);
        }
        continue;
      }
      const retirement = known.get(name) ?? {
        target: name,
        workflow: workflow.name,
        channel: workflow.access.channel,
        at: now,
      };
      retirements.set(name, retirement);
      toRetire.push({ retirement, how: 'marked' });
    }
    // Removed: in the policy this process held, or in the one recorded in force, and not in this one.
    const removed = new Map<string, { workflow: string; channel: string }>();
    for (const [name, { workflow }] of previous.targets)
      removed.set(name, { workflow: workflow.name, channel: workflow.access.channel });
    for (const [name, target] of Object.entries(before?.targets ?? {}))
      removed.set(name, { workflow: target.workflow, channel: target.channel });
    for (const [name, where] of removed) {
      if (loaded.policy.targets.has(name)) continue;
      const retirement = known.get(name) ?? { target: name, ...where, at: now };
      retirements.set(name, retirement);
      toRetire.push({ retirement, how: 'removed' });
    }
    deps.holder.replace(policyInForce(previous, loaded.policy, retirements), loaded.hash);
    if (toRetire.length > 0) {
      const names = new Set(toRetire.map(({ retirement }) => retirement.target));
      const open = await openRequests(deps, (request) => names.has(request.target));
      for (const item of toRetire) await retireTarget({ ...item, open });
    }

    const { lines } = await departedPeople(deps.directory, loaded.policy.workflows);
    if (lines.length > 0) {
      deps.logger.warn({ departed: lines }, 'the workflows name people who are deactivated in Slack');
      if (recorded && deps.adminChannel) {
        const channel = deps.adminChannel;
        const text = `The workflows in force name people who are deactivated in Slack:\n${lines.join('\n')}`;
        await notifySafely(deps.logger, 'the departed-people alert', () => deps.notifier.alert({ channel, text }));
      }
    }
    return {
      ...(change ? { change } : {}),
      recorded,
      retired: toRetire
        .filter(({ how, retirement }) => how === 'removed' || !known.has(retirement.target))
        .map(({ retirement }) => retirement.target),
      departed: lines,
    };
  };
}
