import type { AccessRequest } from '../../domain/access-request.js';
import { JumpgateError } from '../../domain/errors.js';
import type { Policy, Target, Workflow } from '../../domain/workflow.js';

/** A request with the policy it was made under: everything a message about it needs. */
export interface RequestView {
  readonly request: AccessRequest;
  readonly workflow: Workflow;
  readonly target: Target;
}

/**
 * The request with the workflow and target it names in the current policy. Throws `unknown_target`
 * when the policy no longer has them (a workflow was edited while the request was open).
 */
export function viewOf(policy: Policy, request: AccessRequest): RequestView {
  const entry = policy.targets.get(request.target);
  if (!entry || entry.workflow.name !== request.workflow) {
    throw new JumpgateError(
      'unknown_target',
      `the workflows no longer define ${request.target} under ${request.workflow}`,
      {
        details: { target: request.target, workflow: request.workflow },
      },
    );
  }
  return { request, workflow: entry.workflow, target: entry.target };
}
