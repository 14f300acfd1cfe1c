import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { registerSliMetrics, type SliMetrics } from './sli-metrics.js';

/** What the broker says about its KRL (`GET /v1/krl/status`); undefined when it cannot say. */
export interface KrlFacts {
  /** Seconds since any bastion last fetched the KRL (since the broker started when none has). */
  readonly fetchAgeSeconds: number;
  /** Revocations no bastion has fetched yet. */
  readonly revokedSinceFetch: number;
  /** The KRL's size and how long its last write took, when the broker reports them. */
  readonly krlBytes?: number;
  readonly krlWriteMs?: number;
}

export interface MetricsDeps {
  readonly countByStatus: (status: 'pending' | 'active' | 'approved') => Promise<number>;
  /** Set when the broker reports KRL fetches (the embedded one, or a broker serving /v1/krl/status). */
  readonly krlStatus?: () => Promise<KrlFacts | undefined>;
  /** The hash of the workflow files in force: `jumpgate_policy_info{hash="…"} 1`. */
  readonly policyHash?: () => string;
  /** The Slack outbox: messages waiting and the age of the oldest, in seconds (0 when none waits). */
  readonly outbox?: () => Promise<{ readonly depth: number; readonly oldestAgeSeconds: number }>;
}

export interface Metrics {
  /** The SLI counters and histograms the service, the jobs and the Slack and PagerDuty clients step. */
  readonly sli: SliMetrics;
  render(): Promise<{ contentType: string; body: string }>;
}

/**
 * Prometheus metrics: process defaults, the gauges an operator alerts on (read from the store at
 * scrape time, so every replica reports the same truth) and the SLIs counted in this process.
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jumpgate_' });
  for (const status of ['pending', 'approved', 'active'] as const) {
    new Gauge({
      name: `jumpgate_requests_${status}`,
      help: `Requests currently ${status}`,
      registers: [registry],
      async collect() {
        this.set(await deps.countByStatus(status));
      },
    });
  }
  if (deps.krlStatus) registerKrlGauges(registry, deps.krlStatus);
  const { policyHash } = deps;
  if (policyHash) {
    // One series per replica: replicas that disagree on the policy show two hashes.
    new Gauge({
      name: 'jumpgate_policy_info',
      help: 'The workflow files in force, by the hash of their names and contents (always 1)',
      labelNames: ['hash'],
      registers: [registry],
      collect() {
        this.reset();
        this.set({ hash: policyHash() }, 1);
      },
    });
  }
  if (deps.outbox) registerOutboxGauges(registry, deps.outbox);
  return {
    sli: registerSliMetrics(registry),
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/**
 * Alert on `jumpgate_krl_fetch_age_seconds > 300 and jumpgate_krl_revoked_since_fetch > 0`: a
 * revocation no bastion has taken. NaN when the broker could not be asked.
 */
function registerKrlGauges(registry: Registry, krlStatus: () => Promise<KrlFacts | undefined>): void {
  const read = () => krlStatus().catch(() => undefined);
  new Gauge({
    name: 'jumpgate_krl_fetch_age_seconds',
    help: 'Seconds since any bastion last fetched the KRL (since the broker started when none has)',
    registers: [registry],
    async collect() {
      this.set((await read())?.fetchAgeSeconds ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'jumpgate_krl_revoked_since_fetch',
    help: 'Grants revoked since the most recent KRL fetch by any bastion',
    registers: [registry],
    async collect() {
      this.set((await read())?.revokedSinceFetch ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'jumpgate_krl_bytes',
    help: 'Size of the KRL as last written (it holds only serials of certificates not yet expired)',
    registers: [registry],
    async collect() {
      this.set((await read())?.krlBytes ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'jumpgate_krl_write_seconds',
    help: 'How long the last KRL write took (encode, fsync, rename)',
    registers: [registry],
    async collect() {
      const ms = (await read())?.krlWriteMs;
      this.set(ms === undefined ? Number.NaN : ms / 1000);
    },
  });
}

/**
 * Alert on `jumpgate_outbox_oldest_age_seconds > 300`: Slack has not taken a message for five
 * minutes (an outage, a rate limit, a bad token). NaN when Redis could not be asked.
 */
function registerOutboxGauges(
  registry: Registry,
  outbox: () => Promise<{ readonly depth: number; readonly oldestAgeSeconds: number }>,
): void {
  // One read per scrape for both gauges: depth first, then the age reuses its answer.
  let last: Promise<{ depth: number; oldestAgeSeconds: number } | undefined> | undefined;
  new Gauge({
    name: 'jumpgate_outbox_depth',
    help: 'Slack messages and message updates waiting in the outbox',
    registers: [registry],
    async collect() {
      last = outbox().catch(() => undefined);
      this.set((await last)?.depth ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'jumpgate_outbox_oldest_age_seconds',
    help: 'Seconds the oldest waiting Slack message has waited (0 when none waits)',
    registers: [registry],
    async collect() {
      const stats = await (last ?? outbox().catch(() => undefined));
      last = undefined;
      this.set(stats?.oldestAgeSeconds ?? Number.NaN);
    },
  });
}
