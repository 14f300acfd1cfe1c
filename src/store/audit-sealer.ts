import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuditRecord } from '../service/ports/audit.js';
import { GENESIS, type PendingEntry, sealRecord } from './audit-chain.js';
import type { RedisKeys } from './redis-keys.js';
import type { StoreCommands } from './store-commands.js';

/**
 * Seals committed audit entries into the hash chain. Any process may seal: sealing is
 * deterministic (seq, prev and hash follow from the entries and the head), so two sealers that
 * race write the same records and the head's compare-and-set keeps one. A short lease lets one
 * process seal at a time, so replicas do not all hash the same entries; the others watch the
 * head until their records are sealed, and take over when the lease lapses (a sealer that died).
 * In one process, passes run one at a time and each takes every entry waiting (up to BATCH): a
 * burst of commits is sealed in a few passes, not one round trip per record.
 */
export interface AuditSealer {
  /** Resolves with the sealed record of `seq`, once this process or another has sealed it. */
  sealed(seq: number): Promise<AuditRecord>;
  /** Seals everything committed so far. */
  flush(): Promise<void>;
  /** Closes the connection it listens on for other processes' seals (when it opened one). */
  close(): Promise<void>;
}

const BATCH = 500;
/** Long enough for a pass under load; short enough that a dead sealer's lease lapses quickly. */
const LEASE_MS = 1_000;
/**
 * A process that does not hold the lease is woken by the sealer's publish; it looks at the head
 * at least this often anyway (a missed message, a sealer that died).
 */
const FOLLOW_EVERY_MS = 20;

interface Waiter {
  /** The pass count when it was registered: a later pass is sure to see its entry. */
  readonly since: number;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (error: unknown) => void;
}

export function createAuditSealer(deps: {
  readonly redis: Redis & StoreCommands;
  readonly keys: RedisKeys;
  /** Called with the records of each pass that sealed something, in seq order. */
  readonly onSealed?: (records: readonly AuditRecord[]) => void;
}): AuditSealer {
  const { redis, keys } = deps;
  const waiters = new Map<number, Waiter[]>();
  let running = false;
  let again = false;
  let passes = 0;
  /** Whether this process holds the sealer lease (as of its last pass). */
  let leased = false;
  const token = randomBytes(8).toString('hex');

  function settle(seq: number, outcome: { record: AuditRecord } | { error: unknown }) {
    for (const waiter of waiters.get(seq) ?? []) {
      if ('record' in outcome) waiter.resolve(outcome.record);
      else waiter.reject(outcome.error);
    }
    waiters.delete(seq);
  }

  /** Takes or keeps the lease and reads the head (and, when leased, what is pending). */
  async function beginSeal() {
    const [leased, seq, hash, ...pending] = await redis.jumpgateBeginSeal(
      keys.auditSealer,
      keys.auditHead,
      keys.auditPending,
      token,
      String(LEASE_MS),
      String(BATCH),
    );
    return {
      leased: leased === 1,
      seq: Number(seq ?? 0),
      hash: typeof hash === 'string' ? hash : GENESIS,
      pending: pending.map(String),
    };
  }

  /** Waiters whose record another process sealed: read them from the sealed list. */
  async function settleSealedElsewhere(headSeq: number) {
    const done = [...waiters.keys()].filter((seq) => seq <= headSeq);
    if (done.length === 0) return;
    const pipeline = redis.pipeline();
    for (const seq of done) pipeline.lindex(keys.audit, seq - 1);
    const lines = (await pipeline.exec()) ?? [];
    done.forEach((seq, i) => {
      const line = lines[i]?.[1];
      if (typeof line === 'string') settle(seq, { record: JSON.parse(line) as AuditRecord });
      else settle(seq, { error: new Error(`audit record ${seq} is missing from the sealed list`) });
    });
  }

  /** One pass; true when there may be more to seal. */
  async function pass(): Promise<boolean> {
    const started = (passes += 1);
    // Listening already (another process sealed before): arm the wake-up before reading, so a
    // seal between the read and the wait is not missed.
    const armed = subscriber ? whenWoken() : undefined;
    const head = await beginSeal();
    leased = head.leased;
    await settleSealedElsewhere(head.seq);
    if (!head.leased) {
      // Another process seals: wait for its next seal (or a moment), then look again.
      if (waiters.size > 0) await (armed ?? listen().then(whenWoken));
      return waiters.size > 0;
    }
    if (head.pending.length === 0) {
      // Committed before this pass read, yet neither sealed nor pending: removed behind our back.
      for (const [seq, list] of waiters) {
        if (list.some((waiter) => waiter.since < started))
          settle(seq, { error: new Error(`audit entry ${seq} vanished before it was sealed`) });
      }
      return waiters.size > 0;
    }
    let prev = head.hash;
    const records = head.pending.map((json, i) => {
      const record = sealRecord(JSON.parse(json) as PendingEntry, head.seq + 1 + i, prev);
      prev = record.hash;
      return record;
    });
    const outcome = await redis.jumpgateSealAudit(
      keys.auditPending,
      keys.audit,
      keys.auditHead,
      String(head.seq),
      prev,
      ...records.map((record) => JSON.stringify(record)),
    );
    if (outcome !== 'ok') return true;
    // The copy starts before the writers resume, so it is never behind what they report.
    deps.onSealed?.(records);
    for (const record of records) settle(record.seq, { record });
    return records.length === BATCH || waiters.size > 0;
  }

  // Woken when any process seals: a subscription on its own connection, opened on first need.
  let subscriber: Promise<Redis> | undefined;
  let wake: (() => void) | undefined;
  function listen(): Promise<Redis> {
    subscriber ??= (async () => {
      const connection = redis.duplicate();
      connection.on('message', () => wake?.());
      await connection.subscribe(keys.auditHead);
      return connection;
    })();
    return subscriber;
  }

  /** Resolves at the next seal of another process, or after FOLLOW_EVERY_MS. */
  function whenWoken(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, FOLLOW_EVERY_MS);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  }

  async function run() {
    running = true;
    try {
      let more = true;
      while (more || again) {
        again = false;
        more = await pass();
      }
    } catch (error) {
      for (const seq of [...waiters.keys()]) settle(seq, { error });
    } finally {
      if (leased) await redis.jumpgateDropSealerLease(keys.auditSealer, token).catch(() => undefined);
      leased = false;
      running = false;
    }
    if (waiters.size > 0) kick();
  }

  function kick() {
    if (running) again = true;
    else void run();
  }

  function sealed(seq: number): Promise<AuditRecord> {
    return new Promise((resolve, reject) => {
      const list = waiters.get(seq) ?? [];
      list.push({ since: passes, resolve, reject });
      waiters.set(seq, list);
      kick();
    });
  }

  return {
    sealed,
    async close() {
      const connection = await subscriber;
      subscriber = undefined;
      await connection?.quit();
    },
    async flush() {
      const [[, seq], [, length]] = (await redis
        .multi()
        .hget(keys.auditHead, 'seq')
        .llen(keys.auditPending)
        .exec()) as [[unknown, string | null], [unknown, number]];
      if (length > 0) await sealed(Number(seq ?? 0) + length);
    },
  };
}
