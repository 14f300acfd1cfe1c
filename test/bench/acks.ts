import { isErrorAnswer, tally } from './answers.js';
import type { BenchContext } from './bench-context.js';
import { cpuMs } from './bot-process.js';
import { percentile } from './figures.js';
import type { Ack } from './slack-sender.js';
import { BENCH_TARGET } from './workflow.js';

/**
 * ack_*_p50/p99_ms: `senders` people at once, each sending a command, waiting for its answer,
 * then sending the next (as people do); the ack is the HTTP answer to Slack's post. Writes
 * (`/jump request`) first, then reads (`/jump list`, which then lists those requests). Also
 * cpu_ms_per_command: the bot's CPU time over both batches, answers included, per command.
 */
export async function measureAcks(ctx: BenchContext, senders: readonly string[]): Promise<void> {
  const cpuBefore = cpuMs(await ctx.bot.metrics());
  const write = await ackRun(ctx, senders, 'write', () => `request ${BENCH_TARGET} 2h bench ack INC-1`);
  const read = await ackRun(ctx, senders, 'read', () => 'list');
  const cpuAfter = cpuMs(await ctx.bot.metrics());
  const commands = write + read;
  if (cpuBefore === undefined || cpuAfter === undefined) {
    ctx.out.comment('cpu_ms_per_command: /metrics has no process_cpu_*_seconds_total');
    ctx.out.figure('cpu_ms_per_command', 'n/a', 'ms');
  } else {
    ctx.out.comment(
      `cpu_ms_per_command: the bot's process_cpu_user+system_seconds_total (/metrics) over ${commands} commands and their answers`,
    );
    ctx.out.figure('cpu_ms_per_command', (cpuAfter - cpuBefore) / commands, 'ms');
  }
}

async function ackRun(
  ctx: BenchContext,
  senders: readonly string[],
  kind: 'read' | 'write',
  text: () => string,
): Promise<number> {
  const acks: number[] = [];
  const failures: string[] = [];
  const perSender = ctx.mode.ackCommandsPerSender;
  const started = performance.now();
  await Promise.all(
    senders.map(async (user) => {
      for (let n = 0; n < perSender; n += 1) {
        const responseId = ctx.nextResponseId(`ack-${kind}`);
        let ack: Ack;
        try {
          ack = await ctx.sender.command(user, text(), responseId);
        } catch (error) {
          failures.push(`not sent: ${error instanceof Error ? error.message : 'unknown error'}`);
          continue;
        }
        acks.push(ack.ackMs);
        if (ack.status !== 200) {
          failures.push(`ack ${ack.status}`);
          continue;
        }
        const answer = await ctx.inbox.answers.take(responseId, ctx.mode.answerTimeoutMs).catch(() => undefined);
        if (!answer) failures.push('no answer');
        else if (isErrorAnswer(answer.text)) failures.push(answer.text.slice(0, 90));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  ctx.out.comment(
    `ack ${kind}: ${acks.length} × /jump ${kind === 'read' ? 'list' : 'request'} from ${senders.length} senders, each waiting for its answer; ` +
      `${Math.round(acks.length / seconds)} commands/s` +
      (failures.length > 0 ? `; ${failures.length} failed: ${tally(failures)}` : ''),
  );
  ctx.out.figure(`ack_${kind}_p50_ms`, percentile(acks, 50), 'ms');
  ctx.out.figure(`ack_${kind}_p99_ms`, percentile(acks, 99), 'ms');
  return acks.length;
}
