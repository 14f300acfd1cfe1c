import type { Policy } from '../domain/workflow.js';
import type { LifecycleDeps } from './deps.js';
import type { PolicyHolder } from './support/policy-holder.js';
import { createApplyPolicy } from './use-cases/lifecycle/apply-policy.js';
import { createCheckPeople } from './use-cases/lifecycle/check-people.js';
import { createOffboardPerson } from './use-cases/lifecycle/offboard-person.js';
import { createReloadPolicy } from './use-cases/lifecycle/reload-policy.js';
import { createSweepRetired } from './use-cases/lifecycle/sweep-retired.js';

/** The lifecycle use cases: the policy in force and its reloads, retired targets, people who leave. */
export function createLifecycleService(
  deps: LifecycleDeps & {
    readonly holder: PolicyHolder;
    readonly load: () => Promise<{ readonly policy: Policy; readonly hash: string }>;
  },
) {
  const applyPolicy = createApplyPolicy(deps);
  const offboardPerson = createOffboardPerson(deps);
  return {
    applyPolicy,
    reloadPolicy: createReloadPolicy(deps, applyPolicy),
    offboardPerson,
    checkPeople: createCheckPeople(deps, offboardPerson),
    sweepRetired: createSweepRetired(deps),
  };
}

export type LifecycleService = ReturnType<typeof createLifecycleService>;
