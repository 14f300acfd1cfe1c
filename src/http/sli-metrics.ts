import { Counter, Histogram, type Registry } from 'prom-client';
import { REQUEST_KINDS } from '../domain/request-kind.js';
import { FINAL_STATUSES } from '../domain/request-status.js';
import type { Telemetry } from '../service/ports/telemetry.js';

/**
 * Buckets around the targets: time to grant p95 under 50 ms; revocation lag p99 under 250 ms and
 * never over 1 s. Finer where the targets are, a few wide ones beyond for outages.
 */
const GRANT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60];

/** The job queues, so each has its failure series (at 0) from the start. */
const QUEUES = ['expire', 'warn', 'timeout', 'escalate', 'review', 'incidents', 'reconcile', 'retention'];

export interface SliMetrics extends Telemetry {
  readonly slackApiError: (method: string, error: string) => void;
  readonly pagerDutyApiError: (method: string) => void;
}

/**
 * The SLIs as Prometheus series, counted in this process (sum them over replicas). Every step is
 * a label lookup and an add: cheap at hundreds a second.
 */
export function registerSliMetrics(registry: Registry): SliMetrics {
  const registers = [registry];
  const timeToGrant = new Histogram({
    name: 'jumpgate_time_to_grant_seconds',
    help: 'From approval (at once for breakglass and auto-approval) to the grant recorded, by request kind',
    labelNames: ['kind'],
    buckets: GRANT_BUCKETS,
    registers,
  });
  const requests = new Counter({
    name: 'jumpgate_requests_total',
    help: 'Requests that reached their final status, by outcome',
    labelNames: ['outcome'],
    registers,
  });
  const lag = new Histogram({
    name: 'jumpgate_revocation_lag_seconds',
    help: 'How long after notAfter a grant was revoked and recorded expired',
    buckets: LAG_BUCKETS,
    registers,
  });
  const jobFailures = new Counter({
    name: 'jumpgate_job_failures_total',
    help: 'Failed job attempts, by queue (a job may succeed on a later attempt)',
    labelNames: ['queue'],
    registers,
  });
  const slackErrors = new Counter({
    name: 'jumpgate_slack_api_errors_total',
    help: 'Slack Web API calls that failed, by method and Slack error',
    labelNames: ['method', 'error'],
    registers,
  });
  const pagerDutyErrors = new Counter({
    name: 'jumpgate_pagerduty_api_errors_total',
    help: 'PagerDuty REST API requests that failed, by method and path',
    labelNames: ['method'],
    registers,
  });
  // Series at 0 from the start: rate() and increase() see the first event, and alerts have a series.
  for (const kind of REQUEST_KINDS) timeToGrant.zero({ kind });
  for (const outcome of FINAL_STATUSES) requests.inc({ outcome }, 0);
  for (const queue of QUEUES) jobFailures.inc({ queue }, 0);

  return {
    grantIssued: (kind, ms) => timeToGrant.observe({ kind }, Math.max(0, ms) / 1000),
    requestEnded: (outcome) => requests.inc({ outcome }),
    revoked: (lagMs) => lag.observe(Math.max(0, lagMs) / 1000),
    jobFailed: (queue) => jobFailures.inc({ queue }),
    slackApiError: (method, error) => slackErrors.inc({ method, error }),
    pagerDutyApiError: (method) => pagerDutyErrors.inc({ method }),
  };
}
