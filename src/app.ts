import type { RequestListener } from 'node:http';
import { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { BOT_BROKER_TIMING, createBrokerClient } from './broker/client.js';
import { startEmbeddedBroker } from './broker/embedded.js';
import { type BrokerKrlStatus, createKrlStatusReader, krlStaleCheck } from './broker/krl-status.js';
import { loadSigningKey } from './broker/signing-key.js';
import type { Config } from './config.js';
import { startHttpServer } from './http/http-server.js';
import { createMetrics } from './http/metrics.js';
import { createBullmqScheduler } from './jobs/bullmq-scheduler.js';
import { INCIDENT_WATCH_EVERY_MS } from './jobs/job-queues.js';
import { createOutbox } from './jobs/outbox.js';
import { startWorkers } from './jobs/workers.js';
import { createPagerDutyIncidents } from './pagerduty/pagerduty-incidents.js';
import { loadPolicyFiles } from './policy/load-workflows.js';
import { watchWorkflows } from './policy/watch-workflows.js';
import { createAccessService } from './service/access-service.js';
import { createLifecycleService } from './service/lifecycle-service.js';
import { countOutcomes } from './service/support/count-outcomes.js';
import { createPolicyHolder } from './service/support/policy-holder.js';
import { viewOf } from './service/support/request-view.js';
import type { ReloadOutcome } from './service/use-cases/lifecycle/reload-policy.js';
import { RECOVER_EVERY_MS } from './service/use-cases/sweeps/recover.js';
import { createReportMessageFailure } from './service/use-cases/sweeps/report-message-failure.js';
import { createOutboxDelivery, describeQueued } from './slack/outbox-delivery.js';
import { createOutboxNotifier } from './slack/outbox-messages.js';
import { createSlackApp, type SlackConnection } from './slack/slack-app.js';
import { createOutboxSlackClient, createSlackClient } from './slack/slack-client.js';
import { createSlackDirectory } from './slack/slack-directory.js';
import { createSlackNotifier } from './slack/slack-notifier.js';
import { type AuditFileSink, createAuditFileSink } from './store/audit-file.js';
import { checkRedisSettings } from './store/redis-checks.js';
import { connectRedis } from './store/redis-connection.js';
import { redisKeys } from './store/redis-keys.js';
import { createOutageLog } from './store/redis-outage-log.js';
import { redisAvailable, redisReadinessCheck } from './store/redis-readiness.js';
import { RECONNECT } from './store/redis-reconnect.js';
import { createRedisStore } from './store/redis-store.js';
import { createRetention, RETENTION_EVERY_MS, type Retention, type RetentionOutcome } from './store/retention.js';
import { type LocalWorkspace, startLocalWorkspace } from './workspace/start-local-workspace.js';

type Stop = () => Promise<unknown>;

const AUDIT_FILE_CATCH_UP_MS = 5_000;
/**
 * How often everyone holding a grant or a request is looked up, in case a user_change was missed,
 * and requests left open on retired targets are ended.
 */
export const PEOPLE_CHECK_EVERY_MS = 10 * 60_000;
/**
 * How long a stop (SIGTERM) waits for running jobs and for the commands and clicks in flight.
 * Past it the bot stops anyway: a job it did not finish keeps its lock until then, and another
 * replica (or the next start) runs it again once the lock lapses; nothing is lost.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

/** How to leave the local workspace for a real Slack: said in the start-up banner and on the page. */
export const CONNECT_SLACK =
  'to connect a real Slack, create the app from manifest.yml and set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode); see "Install the Slack app" in README.md';

/** Intervals of the periodic sweeps; tests shorten them. */
export interface Tuning {
  readonly reconcileEveryMs?: number;
  readonly incidentWatchEveryMs?: number;
  /** How long PagerDuty's answers are reused. */
  readonly pagerDutyCacheTtlMs?: number;
  readonly peopleCheckEveryMs?: number;
  /** How long the workflow files must be quiet before a reload. */
  readonly reloadDebounceMs?: number;
  readonly retentionEveryMs?: number;
}

export interface RunningJumpgate {
  /** The HTTP listener's port (PORT, or the one picked for PORT=0). */
  readonly port: number;
  /** The broker it talks to (BROKER_URL, or the embedded broker's loopback address). */
  readonly brokerUrl: string;
  /** With no Slack variable set: the local workspace's page (http://127.0.0.1:PORT/). */
  readonly workspaceUrl?: string;
  /** Reads the workflow files again (what SIGHUP does); reloads run one at a time. */
  reloadPolicy(): Promise<ReloadOutcome>;
  /** The hash of the workflow files in force. */
  policyHash(): string;
  /** Stops everything it started, newest first. */
  stop(): Promise<void>;
}

/** One retention run as a job: a blocked run (no or a divergent archive) fails, so job failures alert on it. */
async function runRetention(retention: Retention): Promise<RetentionOutcome> {
  const outcome = await retention.run();
  if (outcome.outcome === 'blocked') throw new Error(`retention removed nothing: ${outcome.why}`);
  return outcome;
}

/** The composition root: the one place that knows every adapter. */
export async function startJumpgate(config: Config, logger: Logger, tuning: Tuning = {}): Promise<RunningJumpgate> {
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
  };
  try {
    const loaded = await loadPolicyFiles(config.workflowsDir);
    const { policy } = loaded;
    logger.info(
      { workflows: policy.workflows.map((w) => w.name), targets: [...policy.targets.keys()], hash: loaded.hash },
      'workflows loaded',
    );
    // The one place the policy in force is held: every use case reads it at each step.
    const holder = createPolicyHolder(policy, loaded.hash);

    const redis = await connectRedis({
      url: config.redisUrl,
      topology: config.redisTopology,
      dataDir: config.dataDir,
      logger,
    });
    stops.push(() => redis.close());
    logger.info({ redis: redis.description }, 'Redis connected');
    // A server that evicts keys is refused; one that keeps nothing on disk is warned about.
    await checkRedisSettings(redis.redis, redis.description, logger);
    // BullMQ's own connections (queues, workers) reconnect as quickly as the store's.
    // (A Cluster client is handed over as it is: it was built with its own retry settings.)
    const bullConnection =
      redis.connectionOptions instanceof Cluster
        ? redis.connectionOptions
        : { ...redis.connectionOptions, ...RECONNECT };
    // An outage is one line when it starts and one when it ends, not a line per retry.
    const outageLog = createOutageLog(logger);
    const onRedisError = (error: Error, source: string) => outageLog.error(error, source);
    redis.redis.on('error', (error: Error) => outageLog.error(error, 'store'));
    redis.redis.on('ready', () => outageLog.ready());

    const signingKey = await loadSigningKey({ jwkJson: config.signingKeyJwk, dataDir: config.dataDir });
    let brokerUrl = config.brokerUrl;
    // With BROKER_URL bastions fetch the KRL from that broker (the bot proxies nothing) and the
    // bot asks it how fresh their copies are; embedded, the bot's listener serves the KRL itself.
    let bastion: RequestListener | undefined;
    let krlStatus: () => Promise<BrokerKrlStatus | undefined> = brokerUrl
      ? createKrlStatusReader({ baseUrl: brokerUrl })
      : () => Promise.resolve(undefined);
    if (!brokerUrl) {
      const embedded = await startEmbeddedBroker({ dataDir: config.dataDir, jwks: signingKey.jwks, logger });
      stops.push(() => embedded.close());
      brokerUrl = embedded.url;
      bastion = embedded.bastion;
      krlStatus = () => Promise.resolve(embedded.krlStatus());
      logger.info({ url: brokerUrl }, 'embedded reference broker started (BROKER_URL unset)');
    }
    const broker = createBrokerClient({ baseUrl: brokerUrl, signingKey, ...BOT_BROKER_TIMING });

    let auditSink: AuditFileSink | undefined;
    const store = createRedisStore({
      redis: redis.redis,
      prefix: config.prefix,
      now: Date.now,
      onAudit: (records) => void auditSink?.sync(records),
      onSealError: (error) => logger.warn({ err: error }, 'sealing audit entries failed; trying again'),
      ...(config.redisWait
        ? {
            waitReplicas: config.redisWait,
            onReplicaShort: (acknowledged: number) =>
              logger.warn(
                { acknowledged, wanted: config.redisWait?.replicas },
                'Redis replicas did not acknowledge writes in time (REDIS_WAIT_REPLICAS): writes go on unconfirmed for 5 s, then are checked again',
              ),
          }
        : {}),
    });
    stops.push(() => store.close());
    const migrated = await store.migrate();
    if (migrated > 0) logger.info({ requests: migrated }, 'moved status indexes to the current layout');
    // A process that died between a commit and its seal left entries pending: seal them now.
    await store.sealPending();
    if (config.auditLogFile) {
      const sink = createAuditFileSink({
        file: config.auditLogFile,
        reader: store,
        onError: (error) => logger.error({ err: error }, 'could not copy the audit trail to AUDIT_LOG_FILE'),
      });
      auditSink = sink;
      await sink.sync();
      // Other replicas write to the same chain: catch up with their records too.
      const timer = setInterval(() => void sink.sync(), AUDIT_FILE_CATCH_UP_MS);
      stops.push(() => Promise.resolve(clearInterval(timer)));
    } else {
      logger.warn({}, 'AUDIT_LOG_FILE is unset: nothing ever leaves Redis (retention needs the archive file)');
    }
    const retention = config.auditLogFile
      ? createRetention({
          redis: redis.redis,
          keys: redisKeys(config.prefix),
          store,
          archiveFile: config.auditLogFile,
          retentionDays: config.retentionDays,
          now: Date.now,
          logger,
        })
      : undefined;

    const scheduler = createBullmqScheduler({
      connection: bullConnection,
      prefix: config.prefix,
      now: Date.now,
      onRedisError,
    });
    stops.push(() => scheduler.close());
    // No Slack variable: the local workspace plays Slack (its Web API, its signed requests) and,
    // without PAGERDUTY_TOKEN, PagerDuty. Nothing past this point knows the difference.
    let workspace: LocalWorkspace | undefined;
    let slackConnection: SlackConnection;
    if (config.slack.kind === 'local') {
      const embeddedUrl = brokerUrl;
      const started = await startLocalWorkspace({
        policy: () => policy,
        logger,
        withIncidents: !config.pagerduty,
        caPublicKey: async () => {
          const res = await fetch(new URL('v1/ca.pub', `${embeddedUrl}/`), { signal: AbortSignal.timeout(2_000) });
          if (!res.ok) throw new Error(`broker /v1/ca.pub answered ${res.status}`);
          return res.text();
        },
      });
      stops.push(() => started.close());
      workspace = started;
      // The same Bolt app as HTTP mode, with the run's own signing secret.
      slackConnection = { kind: 'http', botToken: started.botToken, signingSecret: started.signingSecret };
    } else {
      slackConnection =
        config.slack.kind === 'http'
          ? { kind: 'http', botToken: config.slack.botToken, signingSecret: config.slack.signingSecret }
          : { kind: 'socket', botToken: config.slack.botToken, appToken: config.slack.appToken };
    }
    const metrics = createMetrics({
      countByStatus: (status) => store.countByStatus(status),
      krlStatus,
      policyHash: () => holder.hash(),
      // The outbox is made below; /metrics is scraped only once everything is started.
      outbox: () => outbox.stats(),
    });
    const slackApiUrl = workspace?.apiUrl ?? config.slackApiUrl;
    const client = createSlackClient(slackConnection.botToken, slackApiUrl, metrics.sli.slackApiError);
    const incidents = config.pagerduty
      ? createPagerDutyIncidents({
          token: config.pagerduty.token,
          apiUrl: config.pagerduty.apiUrl,
          from: config.pagerduty.from,
          logger,
          onApiError: metrics.sli.pagerDutyApiError,
          ...(tuning.pagerDutyCacheTtlMs === undefined
            ? {}
            : { cacheTtlMs: tuning.pagerDutyCacheTtlMs, incidentTtlMs: tuning.pagerDutyCacheTtlMs }),
        })
      : workspace?.incidents;
    // Every message goes through the durable outbox: queued in Redis (one script call), sent by
    // any replica's drain, per conversation in order, retried until Slack takes it.
    const delivery = createOutboxDelivery({
      sender: createSlackNotifier({
        client: createOutboxSlackClient(slackConnection.botToken, slackApiUrl, metrics.sli.slackApiError),
        now: Date.now,
        logger,
      }),
      view: async (requestId) => {
        const request = await store.get(requestId);
        return request ? viewOf(holder.current(), request) : undefined;
      },
      setMessage: (requestId, ref) => store.setMessage(requestId, ref),
    });
    // The notifier and the give-up report reach the outbox when they are called, after it exists.
    const notifier = createOutboxNotifier({ enqueue: (message) => outbox.enqueue(message), now: Date.now });
    const reportMessageFailure = createReportMessageFailure({
      store,
      notifier,
      logger,
      ...(config.adminChannel ? { adminChannel: config.adminChannel } : {}),
    });
    const outbox = createOutbox({
      connection: bullConnection,
      onRedisError,
      redis: redis.redis,
      prefix: config.prefix,
      now: Date.now,
      logger,
      deliver: (body) => delivery.deliver(body),
      classify: (error) => delivery.classify(error),
      maxAgeMs: config.slackOutboxMaxAgeMs,
      onGiveUp: async (gaveUp) => {
        const { kind, requestId } = describeQueued(gaveUp.body);
        await reportMessageFailure({
          conversation: gaveUp.conversation,
          kind,
          ...(requestId ? { requestId } : {}),
          error: gaveUp.error,
          attempts: gaveUp.attempts,
          enqueuedAt: gaveUp.enqueuedAt,
          messageId: gaveUp.id,
        });
      },
    });
    stops.push(() => outbox.close());
    const serviceDeps = {
      store: countOutcomes(store, metrics.sli),
      telemetry: metrics.sli,
      broker,
      scheduler,
      notifier,
      directory: createSlackDirectory({ client, now: Date.now }),
      incidents,
      policy: () => holder.current(),
      now: Date.now,
      logger,
    };
    const service = createAccessService(serviceDeps);
    const lifecycle = createLifecycleService({
      ...serviceDeps,
      // Whether someone left must be asked fresh: the shared directory reuses answers for a minute.
      directory: createSlackDirectory({ client, now: Date.now, ttlMs: 0 }),
      records: store,
      ...(config.adminChannel ? { adminChannel: config.adminChannel } : {}),
      holder,
      load: () => loadPolicyFiles(config.workflowsDir),
    });
    // Before anything takes a request: record this policy if it is new, retire what it retired.
    await lifecycle.applyPolicy(loaded);
    let reloading: Promise<ReloadOutcome> = Promise.resolve({ outcome: 'unchanged', hash: loaded.hash });
    const reloadPolicy = () => {
      reloading = reloading.catch(() => undefined).then(() => lifecycle.reloadPolicy());
      return reloading;
    };
    const reloadQuietly = () =>
      void reloadPolicy().catch((error: unknown) => logger.error({ err: error }, 'the policy reload failed'));
    stops.push(() => reloading.catch(() => undefined));
    const stopWatching = watchWorkflows({
      dir: config.workflowsDir,
      onChange: reloadQuietly,
      onError: (error) => logger.warn({ err: error }, 'cannot watch the workflow files; reload them with SIGHUP'),
      ...(tuning.reloadDebounceMs === undefined ? {} : { debounceMs: tuning.reloadDebounceMs }),
    });
    stops.push(() => Promise.resolve(stopWatching()));
    let checking = false;
    const peopleCheckEveryMs = tuning.peopleCheckEveryMs ?? PEOPLE_CHECK_EVERY_MS;
    const peopleTimer = setInterval(() => {
      if (checking) return;
      checking = true;
      lifecycle
        .checkPeople({ leaseMs: Math.max(1, Math.floor(peopleCheckEveryMs * 0.9)) })
        .catch((error: unknown) => logger.error({ err: error }, 'the check of people who left failed'))
        .then(() => lifecycle.sweepRetired())
        .catch((error: unknown) => logger.error({ err: error }, 'the sweep of retired targets failed'))
        .finally(() => (checking = false));
    }, peopleCheckEveryMs);
    stops.push(() => Promise.resolve(clearInterval(peopleTimer)));
    const workers = await startWorkers({
      connection: bullConnection,
      prefix: config.prefix,
      onRedisError,
      redisAvailable: () => redisAvailable(redis.redis),
      service,
      logger,
      reconcileEveryMs: tuning.reconcileEveryMs,
      recoverEveryMs: RECOVER_EVERY_MS,
      incidentWatchEveryMs: incidents ? (tuning.incidentWatchEveryMs ?? INCIDENT_WATCH_EVERY_MS) : undefined,
      onJobFailed: metrics.sli.jobFailed,
      ...(retention
        ? { retention: { everyMs: tuning.retentionEveryMs ?? RETENTION_EVERY_MS, run: () => runRetention(retention) } }
        : {}),
    });
    // A stop waits for running jobs in stop() below (bounded); here it only makes sure they close.
    stops.push(() => workers.close(0));
    await outbox.start();

    const slack = await createSlackApp({
      connection: slackConnection,
      apiUrl: slackApiUrl,
      useCases: { ...service, offboardPerson: lifecycle.offboardPerson },
      logger,
      storeAvailable: () => redisAvailable(redis.redis),
      probeStore: () =>
        redisReadinessCheck(redis.redis)().then(
          () => true,
          () => false,
        ),
    });
    let ready = false;
    // Set by stop(): /readyz and /slack/events answer 503 from then on, so traffic moves elsewhere.
    let stopping = false;
    const http = await startHttpServer({
      port: config.port,
      host: config.host,
      slackEvents: slack.requestListener,
      ...(bastion ? { bastion } : {}),
      ...(workspace ? { page: workspace.page } : {}),
      isReady: () => ready,
      isStopping: () => stopping,
      readiness: {
        redis: redisReadinessCheck(redis.redis),
        broker: async () => {
          const res = await fetch(new URL('healthz', `${brokerUrl}/`), { signal: AbortSignal.timeout(2_000) });
          if (!res.ok) throw new Error(`broker /healthz answered ${res.status}`);
        },
      },
      advisories: { krl: krlStaleCheck(krlStatus) },
      jwks: () => signingKey.jwks,
      policyHash: () => holder.hash(),
      metrics: () => metrics.render(),
      logger,
    });
    stops.push(() => http.close());
    workspace?.attach(http.port);
    await slack.start();
    stops.push(() => slack.stop());
    ready = true;
    logger.info({ port: http.port, mode: config.slack.kind }, 'Jumpgate is ready');

    const workspaceUrl = workspace ? `http://127.0.0.1:${http.port}/` : undefined;
    return {
      port: http.port,
      brokerUrl,
      ...(workspaceUrl ? { workspaceUrl } : {}),
      reloadPolicy,
      policyHash: () => holder.hash(),
      async stop() {
        // Take no new work: Slack and load balancers are sent elsewhere, workers fetch no job.
        stopping = true;
        logger.info({ graceMs: SHUTDOWN_GRACE_MS }, 'stopping: finishing the jobs, commands and clicks in flight');
        const started = Date.now();
        await slack.stop();
        const [jobsClosed, commandsLeft] = await Promise.all([
          workers.close(SHUTDOWN_GRACE_MS),
          slack.inFlight.drain(SHUTDOWN_GRACE_MS),
        ]);
        if (commandsLeft > 0) logger.warn({ left: commandsLeft }, 'stopped with Slack commands or clicks unanswered');
        logger.info({ ms: Date.now() - started, jobsClosed, commandsLeft }, 'in-flight work finished');
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
