import type { AccessRequest } from '../../../domain/access-request.js';
import { approveBreakglass } from '../../../domain/approve-at-once.js';
import { JumpgateError } from '../../../domain/errors.js';
import { newRequest } from '../../../domain/new-request.js';
import { breakglassPolicyOf } from '../../../domain/request-kind.js';
import { checkRequest } from '../../../domain/request-rules.js';
import { findTarget, type RequestableTarget } from '../../../domain/requestable-targets.js';
import type { ServiceDeps } from '../../deps.js';
import type { BreakglassCreated } from '../../ports/store.js';
import { checkIncident, type IncidentCheck } from '../../support/check-incident.js';
import { runEffects } from '../../support/effects.js';
import { incidentRef } from '../../support/incident-ref.js';
import { noteOnIncident } from '../../support/note-on-incident.js';
import { newRequestId } from '../../support/request-id.js';
import { resolveMember } from '../../support/resolve-member.js';
import { transact } from '../../support/transact.js';
import { NO_KEY_MESSAGE } from '../request/request-access.js';

export interface BreakglassInput {
  readonly requester: string;
  readonly target: string;
  readonly duration?: string;
  readonly reason: string;
  /** Set by the confirmation step: the same key again (a double click) takes no second breakglass. */
  readonly confirmation?: string;
}

/** What a breakglass would do: shown to the person before they confirm. */
export interface BreakglassPlan {
  readonly target: string;
  readonly workflow: string;
  readonly durationMs: number;
  readonly reason: string;
  readonly notifyChannel: string;
  readonly reviewWithinMs: number;
  readonly requiresIncident: boolean;
}

const DAY_MS = 86_400_000;

type Deps = Pick<
  ServiceDeps,
  'store' | 'directory' | 'scheduler' | 'notifier' | 'incidents' | 'policy' | 'now' | 'logger'
>;

/**
 * `/jump breakglass`: emergency access at once, loudly. `checkBreakglass` says what would happen
 * (the confirmation step); `breakglass` checks everything again, asks PagerDuty (the workflow may
 * require an incident; an incident found justifies the access either way), records the request
 * (`requested`, then `breakglass`), grants, alerts the security channel, posts the post-hoc
 * review message and schedules its reminder. A confirmation used twice throws `already_confirmed`.
 * Throws `breakglass_not_allowed`, `breakglass_limit`
 * (max_per_day), `incident_required`, `no_ssh_key`, and the request rules' errors.
 */
export function createBreakglass(deps: Deps, issueGrant: (request: AccessRequest) => Promise<AccessRequest>) {
  async function plan(
    input: BreakglassInput,
  ): Promise<{ plan: BreakglassPlan; chosen: RequestableTarget; sshPublicKey: string; ticket?: string }> {
    const policy = deps.policy();
    const member = await resolveMember(
      deps.directory,
      input.requester,
      policy.workflows.map((w) => w.access.requesters),
    );
    const chosen = findTarget(policy, input.target, member);
    const { workflow, target } = chosen;
    const checked = checkRequest({
      workflow,
      target: target.name,
      kind: 'breakglass',
      duration: input.duration,
      reason: input.reason,
    });
    const rules = breakglassPolicyOf(workflow, target.name);
    if (rules.maxPerDay !== undefined) {
      // A first look for the confirmation; the count that decides is taken atomically at create.
      const used = await deps.store.countBreakglass(input.requester, deps.now() - DAY_MS);
      if (used >= rules.maxPerDay)
        throw refusal({ refused: 'limit', used }, workflow.name, target.name, rules.maxPerDay);
    }
    const sshPublicKey = await deps.store.getSshKey(input.requester);
    if (!sshPublicKey) throw new JumpgateError('no_ssh_key', NO_KEY_MESSAGE);
    return {
      chosen,
      sshPublicKey,
      ...(checked.ticket === undefined ? {} : { ticket: checked.ticket }),
      plan: {
        target: target.name,
        workflow: workflow.name,
        durationMs: checked.durationMs,
        reason: checked.reason,
        notifyChannel: rules.notifyChannel,
        reviewWithinMs: rules.reviewWithin,
        requiresIncident: rules.requireIncident,
      },
    };
  }

  async function breakglass(input: BreakglassInput): Promise<{ request: AccessRequest; incidentCheck: IncidentCheck }> {
    const { plan: p, chosen, sshPublicKey, ticket } = await plan(input);
    const { workflow, target } = chosen;
    const rule = workflow.access.autoApprove?.pagerduty;
    const incidentCheck = await checkIncident(deps, input.requester, rule);
    if (p.requiresIncident && incidentCheck.outcome !== 'approved') {
      const why = incidentCheck.outcome === 'off' ? 'incident checks are not configured' : incidentCheck.reason;
      throw new JumpgateError(
        'incident_required',
        `breakglass on ${target.name} needs PagerDuty to show you on call during an active incident, and it does not: ${why}`,
        {
          details: { outcome: incidentCheck.outcome },
        },
      );
    }
    const id = newRequestId();
    if (input.confirmation !== undefined) {
      const owner = await deps.store.claim(`breakglass:${input.requester}:${input.confirmation}`, id, DAY_MS);
      if (owner !== id) {
        throw new JumpgateError('already_confirmed', `you already confirmed this breakglass: it is ${owner}`, {
          details: { requestId: owner },
        });
      }
    }
    const now = deps.now();
    const created = newRequest({
      id,
      kind: 'breakglass',
      workflow,
      target: target.name,
      requester: input.requester,
      sshPublicKey,
      checked: { durationMs: p.durationMs, reason: p.reason, ...(ticket === undefined ? {} : { ticket }) },
      incidentCheck: incidentCheck.outcome,
      now,
    });
    const rules = breakglassPolicyOf(workflow, target.name);
    const outcome = await deps.store.createBreakglass(created.next, created.audit, {
      windowStart: now - DAY_MS,
      ...(rules.maxPerDay === undefined ? {} : { maxInWindow: rules.maxPerDay }),
      onePerTarget: rules.onePerTarget,
      // The hold outlives any grant it stands for; the status of the held request decides.
      holdMs: rules.maxDuration + DAY_MS,
    });
    if ('refused' in outcome) throw refusal(outcome, workflow.name, target.name, rules.maxPerDay);
    const incident = incidentCheck.outcome === 'approved' ? incidentRef(incidentCheck.incident, false) : undefined;
    const at = deps.now();
    const { request: approved } = await transact(deps.store, id, (current) =>
      approveBreakglass(current, {
        target,
        reviewWithinMs: p.reviewWithinMs,
        ...(incident ? { incident } : {}),
        now: at,
      }),
    );
    // Loud first: security learns of it before the access is even issued.
    await runEffects(
      deps,
      { request: approved },
      {
        jobs: [{ kind: 'review', at: at + p.reviewWithinMs }],
        announceBreakglass: true,
        post: true,
      },
    );
    const granted = await issueGrant(approved);
    if (granted.status === 'active' && granted.incident) await noteOnIncident(deps, granted, 'breakglass');
    return { request: granted, incidentCheck };
  }

  function refusal(
    outcome: Exclude<BreakglassCreated, { audit: unknown }>,
    workflow: string,
    target: string,
    maxPerDay: number | undefined,
  ): JumpgateError {
    if (outcome.refused === 'held') {
      return new JumpgateError(
        'breakglass_active',
        `you already hold breakglass access to ${target} (${outcome.requestId}); end it before taking another`,
        {
          details: { requestId: outcome.requestId },
        },
      );
    }
    return new JumpgateError(
      'breakglass_limit',
      `you have used breakglass ${outcome.used} times in the last 24 hours; ${workflow} allows ${maxPerDay ?? outcome.used} a day — make a normal request instead`,
      {
        details: { used: outcome.used, max: maxPerDay },
      },
    );
  }

  return {
    checkBreakglass: async (input: BreakglassInput): Promise<BreakglassPlan> => (await plan(input)).plan,
    breakglass,
  };
}
