import type { z } from 'zod';
import { formatDuration } from '../domain/duration.js';
import { DURATION_WHAT } from './fields.js';
import type { AccessFile, BreakglassFile, ExtendFile, VendorFile } from './workflow-sections.js';

/**
 * Rules that relate one field of a workflow to another. zod runs each only once the fields it
 * reads are well-formed, so a broken field never also produces a confusing follow-up message.
 */

type Ctx = z.core.$RefinementCtx;
type People = { readonly users?: readonly string[]; readonly groups?: readonly string[] } | undefined;

function problem(ctx: Ctx, path: readonly (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', path: [...path], message });
}

/** `must not be longer than max_duration (4h), got 8h` when `value` exceeds `limit`. */
function atMost(ctx: Ctx, path: readonly string[], value: number | undefined, limit: number, limitName: string): void {
  if (value !== undefined && value > limit) {
    problem(ctx, path, `must not be longer than ${limitName} (${formatDuration(limit)}), got ${formatDuration(value)}`);
  }
}

function atLeast(
  ctx: Ctx,
  path: readonly string[],
  value: number | undefined,
  limit: number | undefined,
  limitName: string,
): void {
  if (value !== undefined && limit !== undefined && value < limit) {
    problem(
      ctx,
      path,
      `must not be shorter than ${limitName} (${formatDuration(limit)}), got ${formatDuration(value)}`,
    );
  }
}

/**
 * With groups, membership is only known at request time; with users alone we can tell now that
 * a request could never collect enough approvals.
 */
function enoughApprovers(ctx: Ctx, path: readonly string[], required: number, people: People, listName: string): void {
  if (people === undefined || (people.groups?.length ?? 0) > 0) return;
  const available = new Set(people.users ?? []).size;
  if (required > available) {
    problem(
      ctx,
      path,
      `${required} ${required === 1 ? 'approval' : 'approvals'} required but ${listName} lists only ` +
        `${available} ${available === 1 ? 'user' : 'users'} ` +
        '(list more users, add a group, or lower approvals_required)',
    );
  }
}

/** Rules inside `access`. */
export function checkAccess(access: AccessFile, ctx: Ctx): void {
  const max = access.max_duration;
  atMost(ctx, ['default_duration'], access.default_duration, max, 'max_duration');
  atLeast(ctx, ['default_duration'], access.default_duration, access.min_duration, 'min_duration');
  atMost(ctx, ['min_duration'], access.min_duration, max, 'max_duration');
  enoughApprovers(ctx, ['approvals_required'], access.approvals_required, access.approvers, 'access.approvers');

  if (access.escalate_after !== undefined && access.escalate_after >= access.request_timeout) {
    problem(
      ctx,
      ['escalate_after'],
      `must be shorter than request_timeout (${formatDuration(access.request_timeout)}), got ${formatDuration(access.escalate_after)}: ` +
        'the request would time out before it escalates',
    );
  }
  if (access.escalation_approvers !== undefined && access.escalate_after === undefined) {
    problem(ctx, ['escalation_approvers'], 'needs escalate_after (how long a request waits before they are asked)');
  }

  const pagerduty = access.auto_approve?.pagerduty;
  if (pagerduty !== undefined) {
    const path = ['auto_approve', 'pagerduty', 'max_duration'];
    atMost(ctx, path, pagerduty.max_duration, max, 'access.max_duration');
    atLeast(ctx, path, pagerduty.max_duration, access.min_duration, 'access.min_duration');
  }
}

export interface WorkflowSections {
  readonly access: AccessFile;
  readonly breakglass?: BreakglassFile | undefined;
  readonly vendor?: VendorFile | undefined;
  readonly extend?: ExtendFile | undefined;
}

/**
 * Rules across sections. Breakglass and vendor sessions skip the usual approval (or let
 * outsiders in), so they may never outlast what an approved request could get.
 */
export function checkSections(workflow: WorkflowSections, ctx: Ctx): void {
  const { access, breakglass, vendor } = workflow;
  if (breakglass?.allowed === true) {
    atMost(ctx, ['breakglass', 'max_duration'], breakglass.max_duration, access.max_duration, 'access.max_duration');
    if (breakglass.require_incident && access.auto_approve?.pagerduty === undefined) {
      problem(
        ctx,
        ['breakglass', 'require_incident'],
        'needs access.auto_approve.pagerduty (its escalation_policies and services define the incident check)',
      );
    }
  }
  if (vendor?.allowed === true) {
    atMost(ctx, ['vendor', 'max_duration'], vendor.max_duration, access.max_duration, 'access.max_duration');
    // Unset, vendor approvals fall back to the access ones, which checkAccess already covers.
    if (vendor.approvals_required !== undefined || vendor.approvers !== undefined) {
      const required = vendor.approvals_required ?? access.approvals_required;
      const path = vendor.approvals_required === undefined ? ['vendor', 'approvers'] : ['vendor', 'approvals_required'];
      const listName = vendor.approvers === undefined ? 'access.approvers' : 'vendor.approvers';
      enoughApprovers(ctx, path, required, vendor.approvers ?? access.approvers, listName);
    }
  }
  if (workflow.extend !== undefined) checkExtend(workflow, workflow.extend, ctx);
}

/**
 * Rules of `extend:` against the other sections: auto_within within max_total, and a kind's
 * own mapping only where the workflow has that kind at all.
 */
function checkExtend(workflow: WorkflowSections, extend: ExtendFile, ctx: Ctx): void {
  if (extend.allowed)
    atMost(ctx, ['extend', 'auto_within'], extend.auto_within, extend.max_total ?? Infinity, 'max_total');
  const kinds = [
    ['breakglass', extend.breakglass, workflow.breakglass?.allowed === true],
    ['vendor', extend.vendor, workflow.vendor?.allowed === true],
  ] as const;
  for (const [kind, own, kindAllowed] of kinds) {
    if (own === undefined) continue;
    const allowed = own.allowed ?? extend.allowed;
    if (!allowed) continue;
    if (!kindAllowed && own.allowed === true) {
      problem(
        ctx,
        ['extend', kind, 'allowed'],
        `needs ${kind}.allowed: true (the workflow has no ${kind} grants to extend)`,
      );
      continue;
    }
    const maxTotal = own.max_total ?? extend.max_total;
    if (maxTotal === undefined) {
      problem(ctx, ['extend', kind, 'max_total'], `required when ${kind} grants may be extended: ${DURATION_WHAT}`);
      continue;
    }
    if (kind === 'breakglass' && 'auto_within' in own) {
      atMost(ctx, ['extend', 'breakglass', 'auto_within'], own.auto_within, maxTotal, 'extend.breakglass.max_total');
    }
  }
}
