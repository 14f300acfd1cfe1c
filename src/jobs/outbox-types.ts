import type { ConnectionOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '../service/ports/clock.js';
import type { Logger } from '../service/ports/logger.js';

/* What the outbox (outbox.ts) takes and gives. */

/** One message to send: `id` says what it is (retries and replicas enqueue it once); no ':' in it. */
export interface OutboxEntry {
  readonly id: string;
  /** Where it goes: messages of one conversation are sent in the order they were enqueued. */
  readonly conversation: string;
  /** What `deliver` is given. */
  readonly body: string;
  /** true: sent at most once (a done marker stays); false: coalesced (an update re-rendered at send time). */
  readonly once: boolean;
}

/** What a failed delivery means: `permanent` gives up at once; `retryAfterMs` is Slack's 429 Retry-After. */
export interface DeliveryFailure {
  readonly permanent: boolean;
  readonly retryAfterMs?: number;
  /** A short code (e.g. `channel_not_found`, `http_500`) for the log, the audit record and the alert. */
  readonly reason: string;
}

/** A message the outbox stopped trying, with what it knows. */
export interface GaveUp {
  readonly id: string;
  readonly conversation: string;
  readonly body: string;
  readonly attempts: number;
  readonly enqueuedAt: number;
  readonly error: string;
  readonly permanent: boolean;
}

export interface OutboxDeps {
  readonly connection: ConnectionOptions;
  /** For the outbox's own scripts (one call per step); BullMQ has its own connections. */
  /** One server, Sentinel's master or a Cluster (every outbox key shares one hash tag). */
  readonly redis: Redis | Cluster;
  readonly prefix: string;
  readonly now: Clock;
  readonly logger: Logger;
  /** Sends one message; throws when it was not taken. */
  readonly deliver: (body: string) => Promise<void>;
  readonly classify: (error: unknown) => DeliveryFailure;
  /** Give up on a message failing this long after it was enqueued (SLACK_OUTBOX_MAX_AGE). */
  readonly maxAgeMs: number;
  /** Errors of BullMQ's connections (a Redis outage: one line, not one per retry). Unset: logged. */
  readonly onRedisError?: (error: Error, source: string) => void;
  readonly onGiveUp: (gaveUp: GaveUp) => Promise<void>;
  /** Conversations drained at once by this process (each one message at a time). Default OUTBOX_CONCURRENCY. */
  readonly concurrency?: number;
  /** How long a message sent once is remembered, so asking again sends nothing. Default 10 minutes. */
  readonly doneTtlMs?: number;
  /** How often waiting messages are checked for a drain that was never added (a crash, or a drain job lost in a Redis failover). Default 5 s. */
  readonly sweepEveryMs?: number;
  /** Retry backoff: exponential from `baseMs`, capped at `capMs` (defaults 1 s and 30 s). */
  readonly backoff?: { readonly baseMs: number; readonly capMs: number };
}

export interface Outbox {
  /** Adds the message unless it is waiting or was sent already: one script call, plus the drain job when the conversation was idle. */
  enqueue(entry: OutboxEntry): Promise<void>;
  /** Messages waiting and the age of the oldest, read from Redis (every replica sees the same). */
  stats(): Promise<{ readonly depth: number; readonly oldestAgeSeconds: number }>;
  /** Starts draining (the worker and the sweep); a process may enqueue without it. */
  start(): Promise<void>;
  close(): Promise<void>;
}
