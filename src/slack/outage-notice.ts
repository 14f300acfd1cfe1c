import type { Logger } from '../service/ports/logger.js';

/**
 * What a person reads when their command or click waits for Redis past Slack's window. Honest:
 * the work is really kept, waiting in memory for the reconnect (commands wait in ioredis's
 * offline queue, they do not fail), and the real answer follows once Redis is back.
 */
export const OUTAGE_NOTICE =
  "Jumpgate's database is temporarily unavailable; your request is kept and carried out as soon as it is back.";

/** For a command that opens a form: Slack's trigger lasts 3 s, so the form cannot wait for Redis. */
export const OUTAGE_RETRY_NOTICE =
  "Jumpgate's database is temporarily unavailable and the form cannot wait for it; try again in a minute.";

/**
 * After this long without an answer the notice goes out: Slack shows nothing for a command whose
 * answer has not come in 3 s, and the response_url a notice uses stays valid for 30 minutes.
 */
export const OUTAGE_NOTICE_AFTER_MS = 2_500;

/** Timers, injectable so the notice's timing is tested without waiting. */
export interface NoticeTimers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface OutageNoticeDeps {
  /** False while commands to Redis would wait for a reconnect. Unset: no notice. */
  readonly storeAvailable?: () => boolean;
  /**
   * Asked at the deadline when the connection looks up: does Redis answer? A server that hangs
   * (stopped, swapping) keeps the connection up while every command waits for its reply.
   */
  readonly probeStore?: () => Promise<boolean>;
  readonly timers?: NoticeTimers;
  readonly logger: Logger;
}

const REAL_TIMERS: NoticeTimers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Runs `work` (already acknowledged). When it has not finished OUTAGE_NOTICE_AFTER_MS later and
 * Redis is unavailable then, or was when the work began, `notify` is called once: one notice per
 * command or click, however long the outage lasts. A slow answer for any other reason (Slack,
 * the broker) sends no notice: the notice would not be true then.
 */
export async function withOutageNotice(
  context: OutageNoticeDeps,
  notify: () => Promise<unknown>,
  work: () => Promise<void>,
): Promise<void> {
  const available = context.storeAvailable;
  if (!available) return work();
  const timers = context.timers ?? REAL_TIMERS;
  const downAtStart = !available();
  let done = false;
  const send = () => {
    if (done) return;
    context.logger.warn({}, 'a Slack answer waits for Redis: the person was told it is kept');
    notify().catch((error: unknown) => context.logger.warn({ err: error }, 'could not send the outage notice'));
  };
  const timer = timers.set(() => {
    if (done) return;
    if (downAtStart || !available()) return send();
    context.probeStore?.().then(
      (answers) => (answers ? undefined : send()),
      () => undefined,
    );
  }, OUTAGE_NOTICE_AFTER_MS);
  try {
    await work();
  } finally {
    done = true;
    timers.clear(timer);
  }
}
