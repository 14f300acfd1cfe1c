import { isErrorAnswer, requestIdIn } from './answers.js';
import type { BenchContext } from './bench-context.js';
import { nowMs } from './slack-sender.js';
import { BENCH_APPROVER, BENCH_TARGET } from './workflow.js';

export type CycleResult =
  | {
      readonly ok: true;
      readonly requestId: string;
      /** When the Approve click was sent, and when the certificate DM reached Slack (epoch ms). */
      readonly clickedAtMs: number;
      readonly certifiedAtMs: number;
      /** Request sent → its confirmation, → the approval message, and click → certificate DM, in ms. */
      readonly steps: readonly [confirm: number, approval: number, certificate: number];
    }
  | { readonly ok: false; readonly failure: string };

/**
 * One whole cycle as people live it: `/jump request` → the confirmation → the approval message
 * in the approvers' channel → a click on its Approve button (the value it carries) → the
 * certificate DM to the requester. `duration` is computed when the request is sent.
 */
export async function grantCycle(ctx: BenchContext, requester: string, duration: () => string): Promise<CycleResult> {
  const timeout = ctx.mode.answerTimeoutMs;
  const fail = (failure: string): CycleResult => ({ ok: false, failure });
  try {
    const asked = ctx.nextResponseId('request');
    const ack = await ctx.sender.command(requester, `request ${BENCH_TARGET} ${duration()} bench load INC-1`, asked);
    if (ack.status !== 200) return fail(`request ack ${ack.status}`);
    const confirmation = await ctx.inbox.answers.take(asked, timeout);
    const confirmedAtMs = nowMs();
    if (isErrorAnswer(confirmation.text)) return fail(confirmation.text.slice(0, 90));
    const requestId = requestIdIn(confirmation.text);
    if (!requestId) return fail(`no request id in: ${confirmation.text.slice(0, 90)}`);
    const approval = await ctx.inbox.approvals.take(requestId, timeout);
    const approvalAtMs = nowMs();

    const clicked = ctx.nextResponseId('approve');
    const certified = ctx.inbox.certificates.take(requestId, timeout);
    // Handled here too: when the click itself fails, nobody awaits it.
    certified.catch(() => undefined);
    const clickAck = await ctx.sender.approve(
      BENCH_APPROVER,
      { value: approval.approveValue, channel: approval.channel, ts: approval.ts },
      clicked,
    );
    if (clickAck.status !== 200) return fail(`approve ack ${clickAck.status}`);
    const [certifiedAtMs, reply] = await Promise.all([certified, ctx.inbox.answers.take(clicked, timeout)]);
    if (isErrorAnswer(reply.text)) return fail(reply.text.slice(0, 90));
    const steps = [
      confirmedAtMs - ack.sentAtMs,
      approvalAtMs - confirmedAtMs,
      certifiedAtMs - clickAck.sentAtMs,
    ] as const;
    return { ok: true, requestId, clickedAtMs: clickAck.sentAtMs, certifiedAtMs, steps };
  } catch (error) {
    return fail(error instanceof Error ? error.message.replace(/ for \S+/, '') : String(error));
  }
}

/**
 * Cycles that fail this many times in a row stop the phase: the bot has stopped answering, and
 * waiting out every remaining cycle's timeout would hold the bench for hours. Each failure is
 * printed on stderr as it happens.
 */
const FAILURES_IN_A_ROW = 5;

export function stuckGuard(ctx: BenchContext, phase: string): (result: CycleResult) => CycleResult {
  let inARow = 0;
  return (result) => {
    if (result.ok) {
      inARow = 0;
      return result;
    }
    inARow += 1;
    ctx.progress(`${phase}: a cycle failed: ${result.failure}`);
    if (inARow >= FAILURES_IN_A_ROW)
      throw new Error(`${phase}: ${inARow} cycles in a row failed (the last: ${result.failure}); stopping`);
    return result;
  };
}
