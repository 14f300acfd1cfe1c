import { isErrorAnswer, tally } from './answers.js';
import type { BenchContext } from './bench-context.js';
import { runPool } from './pool.js';
import { freshEd25519PublicKey } from './ssh-keys.js';

/** Senders of the burst: each sends its next command as soon as the previous one is acked. */
const BURST_SENDERS = 50;

/**
 * burst_failures: `/jump key <fresh key>` from `users` (one command each, all different people),
 * sent as fast as the acks allow; then every answer is awaited. A failure is a person who got
 * no 200, no answer in time, or an error answer. Returns the people whose key is registered.
 */
export async function burstOfKeys(ctx: BenchContext, users: readonly string[]): Promise<string[]> {
  const keys = users.map((user) => freshEd25519PublicKey(`${user.toLowerCase()}@bench`));
  const started = performance.now();
  const sent = await runPool(users.length, BURST_SENDERS, async (index) => {
    const responseId = ctx.nextResponseId('burst');
    const ack = await ctx.sender
      .command(users[index]!, `key ${keys[index]!}`, responseId)
      .catch((error: unknown) => ({ status: 0, error: String(error) }));
    return { user: users[index]!, responseId, status: ack.status };
  });
  const sentMs = performance.now() - started;
  const outcomes = await Promise.all(
    sent.map(async ({ user, responseId, status }) => {
      if (status !== 200) return { user, failure: `ack ${status}` };
      try {
        const answer = await ctx.inbox.answers.take(responseId, ctx.mode.answerTimeoutMs);
        return isErrorAnswer(answer.text) ? { user, failure: answer.text.slice(0, 90) } : { user };
      } catch {
        return { user, failure: 'no answer' };
      }
    }),
  );
  const failures = outcomes.filter((o) => o.failure !== undefined);
  ctx.out.comment(
    `burst: ${users.length} /jump key from ${users.length} users, ${BURST_SENDERS} senders, all sent in ${Math.round(sentMs)} ms, answered in ${Math.round(performance.now() - started)} ms`,
  );
  if (failures.length > 0) ctx.out.comment(`burst failures: ${tally(failures.map((f) => f.failure ?? ''))}`);
  ctx.out.figure('burst_failures', failures.length, 'count');
  return outcomes.filter((o) => o.failure === undefined).map((o) => o.user);
}

/** Registers keys one at a time for people the burst failed, so the later phases have requesters. */
export async function registerKeysCalmly(ctx: BenchContext, users: readonly string[]): Promise<string[]> {
  const registered: string[] = [];
  for (const user of users) {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const responseId = ctx.nextResponseId('key');
      const ack = await ctx.sender
        .command(user, `key ${freshEd25519PublicKey(`${user.toLowerCase()}@bench`)}`, responseId)
        .catch(() => ({ status: 0 }));
      const answer =
        ack.status === 200
          ? await ctx.inbox.answers.take(responseId, ctx.mode.answerTimeoutMs).catch(() => undefined)
          : undefined;
      if (answer && !isErrorAnswer(answer.text)) {
        registered.push(user);
        break;
      }
    }
  }
  return registered;
}
