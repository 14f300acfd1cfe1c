import { JumpgateError } from '../../src/domain/errors.js';
import type { Directory, DirectoryUser } from '../../src/service/ports/directory.js';
import type { Incident, Incidents, OnCall, PagerDutyUser } from '../../src/service/ports/incidents.js';
import type { Logger } from '../../src/service/ports/logger.js';
import type { Alert, MessageRef, Notice, Notifier } from '../../src/service/ports/notifier.js';
import type { Scheduler } from '../../src/service/ports/scheduler.js';
import type { RequestView } from '../../src/service/support/request-view.js';

/** What the use cases said to people, in order; `failing` makes every call throw like a Slack outage. */
export class RecordingNotifier implements Notifier {
  readonly posted: RequestView[] = [];
  readonly updates: { ref: MessageRef; view: RequestView }[] = [];
  readonly reminders: { ref: MessageRef; view: RequestView }[] = [];
  readonly breakglassAlerts: RequestView[] = [];
  readonly told: { userId: string; notice: Notice }[] = [];
  readonly alerts: Alert[] = [];
  failing = false;
  private ts = 0;

  async postApprovalMessage(view: RequestView): Promise<MessageRef> {
    this.check();
    this.posted.push(view);
    this.ts += 1;
    return { channel: view.workflow.access.channel, ts: `1700000000.${String(this.ts).padStart(6, '0')}` };
  }
  async updateApprovalMessage(ref: MessageRef | undefined, view: RequestView): Promise<void> {
    this.check();
    // Sends at once, like a direct notifier: no message posted, nothing to act on.
    if (ref) this.updates.push({ ref, view });
  }
  async remind(ref: MessageRef | undefined, view: RequestView): Promise<void> {
    this.check();
    // Sends at once, like a direct notifier: no message posted, nothing to act on.
    if (ref) this.reminders.push({ ref, view });
  }
  async announceBreakglass(view: RequestView): Promise<void> {
    this.check();
    this.breakglassAlerts.push(view);
  }
  readonly extensionAsks: { ref: MessageRef; view: RequestView }[] = [];
  async askExtension(ref: MessageRef | undefined, view: RequestView): Promise<void> {
    this.check();
    // Sends at once, like a direct notifier: no message posted, nothing to act on.
    if (ref) this.extensionAsks.push({ ref, view });
  }
  async tell(userId: string, notice: Notice): Promise<void> {
    this.check();
    this.told.push({ userId, notice });
  }
  async alert(alert: Alert): Promise<void> {
    this.check();
    this.alerts.push(alert);
  }
  noticesFor(userId: string): Notice['type'][] {
    return this.told.filter((t) => t.userId === userId).map((t) => t.notice.type);
  }
  /** Throws inside the async methods, so they reject like the WebClient does on ok:false. */
  private check(): void {
    if (this.failing) throw new Error('An API error occurred: service_unavailable');
  }
}

/** Slack users and user groups as the directory port sees them. */
export class FakeDirectory implements Directory {
  constructor(
    private readonly groups: Record<string, string[]> = {},
    private readonly emails: Record<string, string> = {},
  ) {}
  async membersOf(groupId: string): Promise<readonly string[]> {
    return this.groups[groupId] ?? [];
  }
  async user(userId: string): Promise<DirectoryUser | undefined> {
    return { id: userId, name: userId.toLowerCase(), email: this.emails[userId], deleted: false, isBot: false };
  }
}

type JobKind = 'expire' | 'warn' | 'timeout' | 'escalate' | 'review';

/** What was scheduled, so a test can run the job's use case at the right (injected) time. */
export class RecordingScheduler implements Scheduler {
  readonly jobs: { kind: JobKind; requestId: string; at: number }[] = [];
  async expireAt(requestId: string, at: number) {
    this.jobs.push({ kind: 'expire', requestId, at });
  }
  async warnAt(requestId: string, at: number) {
    this.jobs.push({ kind: 'warn', requestId, at });
  }
  async timeoutAt(requestId: string, at: number) {
    this.jobs.push({ kind: 'timeout', requestId, at });
  }
  async escalateAt(requestId: string, at: number) {
    this.jobs.push({ kind: 'escalate', requestId, at });
  }
  async reviewAt(requestId: string, at: number) {
    this.jobs.push({ kind: 'review', requestId, at });
  }
  /** The grant tries scheduled while a request waits for the broker, in order (one per slot, as job ids dedupe). */
  readonly grantRetries: { requestId: string; since: number; slot: number; at: number }[] = [];
  async grantRetryAt(requestId: string, retry: { since: number; slot: number; at: number }) {
    const known = this.grantRetries.some(
      (r) => r.requestId === requestId && r.since === retry.since && r.slot === retry.slot,
    );
    if (!known) this.grantRetries.push({ requestId, ...retry });
  }
  /** Requests whose pending-phase jobs were cancelled, in order. */
  readonly cancelled: string[] = [];
  async cancelPending(requestId: string) {
    this.cancelled.push(requestId);
  }
  /** Removes a scheduled expiry or warning job, as the BullMQ scheduler does. */
  async cancelAt(kind: 'expire' | 'warn', requestId: string, at: number) {
    const index = this.jobs.findIndex((job) => job.kind === kind && job.requestId === requestId && job.at === at);
    if (index >= 0) this.jobs.splice(index, 1);
  }
  find(kind: JobKind, requestId: string) {
    return this.jobs.filter((job) => job.kind === kind && job.requestId === requestId);
  }
}

/** A logger that keeps what was logged, for assertions and for quiet test output. */
export function memoryLogger(lines: { level: string; object: object; message?: string }[] = []): Logger {
  const make = (bindings: Record<string, unknown>): Logger => {
    const log = (level: string) => (object: object, message?: string) =>
      lines.push({ level, object: { ...bindings, ...object }, message });
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make({});
}

/**
 * PagerDuty as the Incidents port sees it (the HTTP side is tested against a fake PagerDuty
 * server in test/integration/pagerduty); `unavailable` makes every call fail as an outage does.
 */
export class FakeIncidents implements Incidents {
  users: PagerDutyUser[] = [];
  onCallList: OnCall[] = [];
  incidentList: Incident[] = [];
  readonly notes: { incidentId: string; content: string }[] = [];
  unavailable: string | undefined;

  async userByEmail(email: string) {
    this.check();
    return this.users.find((user) => user.email.toLowerCase() === email.toLowerCase());
  }
  async onCalls(userId: string, policies: readonly string[]) {
    this.check();
    return this.onCallList.filter((entry) => entry.userId === userId && policies.includes(entry.escalationPolicyId));
  }
  async activeIncidents(services: readonly string[]) {
    this.check();
    return this.incidentList.filter(
      (incident) => services.includes(incident.serviceId) && incident.status !== 'resolved',
    );
  }
  async incident(id: string) {
    this.check();
    return this.incidentList.find((incident) => incident.id === id);
  }
  async addNote(incidentId: string, content: string) {
    this.check();
    this.notes.push({ incidentId, content });
  }
  resolve(id: string): void {
    this.incidentList = this.incidentList.map((incident) =>
      incident.id === id ? { ...incident, status: 'resolved' } : incident,
    );
  }
  private check(): void {
    if (this.unavailable) throw new JumpgateError('incidents_unavailable', this.unavailable);
  }
}
