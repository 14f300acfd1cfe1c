import type { Policy } from '../domain/workflow.js';
import type { Broker } from './ports/broker.js';
import type { Clock } from './ports/clock.js';
import type { Directory } from './ports/directory.js';
import type { Incidents } from './ports/incidents.js';
import type { LifecycleRecords } from './ports/lifecycle-records.js';
import type { Logger } from './ports/logger.js';
import type { Notifier } from './ports/notifier.js';
import type { Scheduler } from './ports/scheduler.js';
import type { Store } from './ports/store.js';
import type { Telemetry } from './ports/telemetry.js';

/** Every port the use cases use; each use case takes only the part it needs. */
export interface ServiceDeps {
  readonly store: Store;
  readonly broker: Broker;
  readonly notifier: Notifier;
  readonly directory: Directory;
  /** PagerDuty; undefined when PAGERDUTY_TOKEN is unset (incident checks off). */
  readonly incidents?: Incidents;
  readonly scheduler: Scheduler;
  /** The current policy (workflows may be reloaded while the bot runs). */
  readonly policy: () => Policy;
  readonly now: Clock;
  readonly logger: Logger;
  /** Service-level metrics; unset, nothing is measured. */
  readonly telemetry?: Telemetry;
}

/** What the lifecycle use cases (policy reload, retiring targets, people who leave) need besides. */
export interface LifecycleDeps extends ServiceDeps {
  readonly records: LifecycleRecords;
  /** JUMPGATE_ADMIN_CHANNEL: where reload errors and policy warnings are posted; unset = logged only. */
  readonly adminChannel?: string;
}
