import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The one target, approvers' channel and approver of the bench workflow. */
export const BENCH_TARGET = 'bench-bastion';
export const BENCH_CHANNEL = 'C0BENCH';
export const BENCH_APPROVER = 'U0BENCHAPPROVER';

/**
 * The workflow the bench's bot loads: one target, one approver, one approval, a reason required
 * (so every request carries one, as in production), and windows long enough for any phase.
 */
export async function writeBenchWorkflow(workflowsDir: string): Promise<void> {
  await mkdir(workflowsDir, { recursive: true });
  const yaml = `name: bench
targets:
  - name: ${BENCH_TARGET}
    hosts: [bastion-1.bench.internal]
    principals: [bench]
access:
  channel: ${BENCH_CHANNEL}
  approvers: { users: [${BENCH_APPROVER}] }
  approvals_required: 1
  default_duration: 30m
  max_duration: 1d
  require_reason: true
  request_timeout: 12h
`;
  await writeFile(path.join(workflowsDir, 'bench.yml'), yaml);
}
