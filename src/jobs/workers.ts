import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import type { AccessService } from '../service/access-service.js';
import type { Logger } from '../service/ports/logger.js';
import type { JobKind } from '../service/ports/scheduler.js';
import {
  FINISHED_JOBS_KEPT,
  QUEUES,
  RECONCILE_EVERY_MS,
  REVOCATION_BACKOFF,
  requestJobSchema,
  revocationBackoff,
} from './job-queues.js';

export interface JobWorkers {
  /**
   * Stops fetching jobs at once and waits for the running ones, at most `graceMs`: a job still
   * running then keeps its lock until the process ends, and once that lapses (JOB_LOCK_MS) the
   * stalled check of another replica, or of the next start, runs it again. Resolves true when
   * every worker closed in time. Calling it again waits on the same close.
   */
  close(graceMs: number): Promise<boolean>;
}

type Processors = Pick<
  AccessService,
  | 'expireGrant'
  | 'issueGrant'
  | 'warnExpiry'
  | 'timeoutRequest'
  | 'escalateRequest'
  | 'remindReview'
  | 'watchIncidents'
  | 'reconcile'
  | 'recover'
  | 'reportJobFailure'
>;

/**
 * A job's lock: renewed every half of it while the job runs; a worker that died lets it lapse,
 * and the stalled check (every STALLED_CHECK_MS) hands the job to another worker. BullMQ's 30 s
 * defaults would leave a killed replica's revocations waiting up to a minute; these bring that
 * under 15 s. A process whose event loop stalls past the lock may run a job twice: harmless, every
 * processor re-reads the state and does nothing when the job no longer applies.
 */
export const JOB_LOCK_MS = 8_000;
export const STALLED_CHECK_MS = 4_000;
/**
 * How long a worker waits after a connection error before it fetches again. BullMQ's default is
 * 15 s, not cut short by a reconnect: after a Redis outage the revocations due would wait up to
 * 15 s more, and a stop during one would wait out the delay. The connections retry every 200 ms
 * (redis-reconnect.ts); a fetch that fails costs nothing.
 */
export const FETCH_RETRY_MS = 500;
/** After an outage, how long BullMQ's connections are given to be back once the store's is. */
const RECONNECTED_AFTER_MS = 500;

/**
 * One worker per queue, each a thin call into the service. A job whose last attempt fails is
 * reported to a person; the reconciliation sweep runs every minute on one replica at a time
 * (BullMQ's job scheduler) and repairs whatever a lost job left behind; the quick recovery sweep
 * runs on every replica at start and every few seconds, so work a dead process left half done
 * resumes within seconds.
 */
export async function startWorkers(deps: {
  connection: ConnectionOptions;
  prefix: string;
  service: Processors;
  logger: Logger;
  reconcileEveryMs?: number;
  /** The quick recovery sweep (RECOVER_EVERY_MS). */
  recoverEveryMs: number;
  /** Set when PagerDuty is configured: grants that end with their incident are watched this often. */
  incidentWatchEveryMs?: number;
  /**
   * Set when AUDIT_LOG_FILE is (retention needs the archive): old records and finished requests
   * leave Redis this often. A replica without it takes no retention job; one with it does.
   */
  retention?: { readonly everyMs: number; readonly run: () => Promise<unknown> };
  /** Each failed attempt of a job, by queue (`jumpgate_job_failures_total`). */
  onJobFailed?: (queue: string) => void;
  /** Errors of BullMQ's connections (a Redis outage: one line, not one per retry). Unset: logged. */
  onRedisError?: (error: Error, source: string) => void;
  /** False while Redis is unreachable: a close then waits for it first (see close()). */
  redisAvailable?: () => boolean;
}): Promise<JobWorkers> {
  const { service, logger } = deps;
  const jobFailed = deps.onJobFailed ?? (() => undefined);
  const onError = (source: string) => (error: Error) =>
    deps.onRedisError
      ? deps.onRedisError(error, source)
      : logger.error({ err: error, queue: source }, 'job worker error');
  const options = { connection: deps.connection, prefix: deps.prefix };
  const workerOptions = { ...options, runRetryDelay: FETCH_RETRY_MS };
  const requestWorker = (
    queue: string,
    kind: JobKind | 'grant',
    run: (requestId: string) => Promise<unknown>,
    concurrency: number,
  ) => {
    const worker = new Worker(queue, async (job: Job) => run(requestJobSchema.parse(job.data).requestId), {
      ...workerOptions,
      concurrency,
      ...FINISHED_JOBS_KEPT,
      lockDuration: JOB_LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      // Revocations back off to 5 s at most (RETRIES.expire); other queues use built-in backoffs.
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) =>
          type === REVOCATION_BACKOFF ? revocationBackoff(attemptsMade) : 1_000,
      },
    });
    worker.on('failed', (job, error) => {
      jobFailed(queue);
      if (!job) return;
      const attempts = job.opts.attempts ?? 1;
      const parsed = requestJobSchema.safeParse(job.data);
      const requestId = parsed.success ? parsed.data.requestId : 'unknown';
      logger.warn({ err: error, requestId, job: kind, attempt: job.attemptsMade, of: attempts }, `${kind} job failed`);
      // A grant try that failed is followed by the recovery sweep, which schedules the next one.
      if (job.attemptsMade >= attempts && kind !== 'grant') {
        void service.reportJobFailure({ job: kind, requestId, attempts: job.attemptsMade, error: error.message });
      }
    });
    worker.on('error', onError(queue));
    return worker;
  };

  // Revocations run wide: many grants can end in the same second.
  const workers = [
    requestWorker(QUEUES.expire, 'expire', service.expireGrant, 50),
    requestWorker(QUEUES.warn, 'warn', service.warnExpiry, 10),
    requestWorker(QUEUES.timeout, 'timeout', service.timeoutRequest, 10),
    requestWorker(QUEUES.escalate, 'escalate', service.escalateRequest, 10),
    requestWorker(QUEUES.review, 'review', service.remindReview, 10),
    // The next try of a grant waiting for an unreachable broker (each schedules the one after).
    requestWorker(QUEUES.grant, 'grant', service.issueGrant, 10),
  ];

  // Periodic sweeps: BullMQ's job scheduler runs each on one replica at a time.
  const periodicQueues: Queue[] = [];
  const periodic = async (queue: string, every: number, run: () => Promise<unknown>, what: string) => {
    const scheduled = new Queue(queue, options);
    scheduled.on('error', onError(queue));
    periodicQueues.push(scheduled);
    await scheduled.upsertJobScheduler(
      queue,
      { every },
      { name: queue, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
    const worker = new Worker(queue, run, { ...workerOptions, concurrency: 1 });
    worker.on('failed', (_job, error) => {
      jobFailed(queue);
      logger.warn({ err: error }, `${what} failed; it runs again shortly`);
    });
    worker.on('error', onError(queue));
    workers.push(worker);
  };
  await periodic(
    QUEUES.reconcile,
    deps.reconcileEveryMs ?? RECONCILE_EVERY_MS,
    () => service.reconcile(),
    'reconciliation',
  );
  if (deps.retention) await periodic(QUEUES.retention, deps.retention.everyMs, deps.retention.run, 'retention');
  if (deps.incidentWatchEveryMs !== undefined) {
    await periodic(QUEUES.incidents, deps.incidentWatchEveryMs, () => service.watchIncidents(), 'the incident watch');
  } else {
    // PagerDuty off (now): a schedule left by an earlier configuration must not run on.
    const stale = new Queue(QUEUES.incidents, options);
    stale.on('error', onError(QUEUES.incidents));
    await stale.removeJobScheduler(QUEUES.incidents);
    await stale.close();
  }

  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  // Every replica, at once and then every few seconds; one pass at a time per process.
  let recovering: Promise<unknown> | undefined;
  const recover = () => {
    recovering ??= service
      .recover()
      .catch((error: unknown) => logger.warn({ err: error }, 'the recovery sweep failed; it runs again shortly'))
      .finally(() => (recovering = undefined));
  };
  recover();
  const recoverTimer = setInterval(recover, deps.recoverEveryMs);
  let closing: Promise<void> | undefined;
  return {
    async close(graceMs) {
      clearInterval(recoverTimer);
      const deadline = Date.now() + graceMs;
      closing ??= (async () => {
        // A worker closed while its blocking connection is reconnecting waits for an 'end' event
        // ioredis never emits then (BullMQ issue 4656): wait for Redis first, within the grace,
        // then for BullMQ's own connections, which reconnect on their own timers (every 200 ms).
        let waited = false;
        while (deps.redisAvailable && !deps.redisAvailable() && Date.now() < deadline) {
          waited = true;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        if (waited) await new Promise((resolve) => setTimeout(resolve, RECONNECTED_AFTER_MS));
        await Promise.all([recovering, ...workers.map((worker) => worker.close())]);
        await Promise.all(periodicQueues.map((queue) => queue.close()));
      })();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
      const closed = await Promise.race([closing.then(() => true), late]).finally(() => clearTimeout(timer));
      if (!closed)
        logger.warn({ graceMs }, 'jobs still running at the stop: another replica or the next start runs them again');
      return closed;
    },
  };
}
