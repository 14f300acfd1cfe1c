import type { Policy } from '../../domain/workflow.js';

/**
 * The policy in force in this process: what every use case reads at each step (`current`), and
 * what a reload replaces as a whole, so a step sees one policy, never half of two.
 */
export interface PolicyHolder {
  current(): Policy;
  /** The hash of the workflow files in force (see policy/load-workflows.ts). */
  hash(): string;
  replace(policy: Policy, hash: string): void;
}

export function createPolicyHolder(policy: Policy, hash: string): PolicyHolder {
  let held = { policy, hash };
  return {
    current: () => held.policy,
    hash: () => held.hash,
    replace(next, nextHash) {
      held = { policy: next, hash: nextHash };
    },
  };
}
