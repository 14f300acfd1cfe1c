import { randomBytes } from 'node:crypto';
import type { AuditRecord } from '../service/ports/audit.js';
import { GENESIS, type PendingEntry, sealRecord } from './audit-chain.js';
import type { RedisKeys } from './redis-keys.js';
import { duplicateClient, type RedisClient } from './redis-topology.js';
import type { StoreCommands } from './store-commands.js';

/**
 * Seals committed audit entries into the hash chain, in the background. A write is done once its
 * state change and its entry are committed (one script call, seq fixed); sealing follows within
 * milliseconds and nobody waits for it, so a writer never queues behind the chain.
 *
 * Any process may seal: sealing is deterministic (seq, prev and hash follow from the entries and
 * the head), so two sealers that race write the same records and the head's compare-and-set keeps
 * one. A short lease lets one process seal at a time, so replicas do not all hash the same
 * entries; a process that committed entries and does not hold the lease follows the head until
 * they are sealed, and takes over when the lease lapses (a sealer that died). Each pass takes
 * every entry waiting (up to BATCH): a burst of commits is sealed in a few calls.
 */
export interface AuditSealer {
  /** This process committed entry `seq`: it will be sealed, by this process or another. */
  committed(seq: number): void;
  /** Resolves once everything committed so far, by any process, is sealed. */
  flush(): Promise<void>;
  /** Seals what this process committed (for at most `CLOSE_WAIT_MS`), then closes its listener. */
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
/** After a failed pass (Redis unreachable), the next try; the entries wait safely in Redis. */
const RETRY_AFTER_MS = 500;
const CLOSE_WAIT_MS = 2_000;

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function createAuditSealer(deps: {
  readonly redis: RedisClient & StoreCommands;
  readonly keys: RedisKeys;
  /** Called with the records of each pass that sealed something, in seq order. */
  readonly onSealed?: (records: readonly AuditRecord[]) => void;
  /** A pass that failed; sealing is tried again, nothing committed is lost. */
  readonly onError?: (error: unknown) => void;
}): AuditSealer {
  const { redis, keys } = deps;
  /** The highest seq this process committed; sealing runs until the head reaches it. */
  let owed = 0;
  /** The head as last seen. */
  let headSeq = 0;
  const waiters: Waiter[] = [];
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  /** Whether this process holds the sealer lease (as of its last pass). */
  let leased = false;
  const token = randomBytes(8).toString('hex');

  const target = () => Math.max(owed, ...waiters.map((waiter) => waiter.seq));

  /** Resolves the waiters the head has reached; with `error`, rejects those up to `upTo` instead. */
  function settle(error?: unknown, upTo = 0) {
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      const waiter = waiters[i];
      if (waiter === undefined) continue;
      const done = error === undefined ? waiter.seq <= headSeq : waiter.seq <= upTo;
      if (!done) continue;
      waiters.splice(i, 1);
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  /** Takes or keeps the lease and reads the head (and, when leased, what is pending). */
  async function beginSeal() {
    const [lease, seq, hash, ...pending] = await redis.jumpgateBeginSeal(
      keys.auditSealer,
      keys.auditHead,
      keys.auditPending,
      token,
      String(LEASE_MS),
      String(BATCH),
    );
    return {
      leased: lease === 1,
      seq: Number(seq ?? 0),
      hash: typeof hash === 'string' ? hash : GENESIS,
      pending: pending.map(String),
    };
  }

  /** One pass: seals a batch when leased, else waits for the sealer's next seal. */
  async function pass(): Promise<void> {
    // Listening already (another process sealed before): arm the wake-up before reading, so a
    // seal between the read and the wait is not missed.
    const armed = subscriber ? whenWoken() : undefined;
    // What was committed before this read: an entry committed while the read is on its way may
    // be missing from it, and is the next pass's.
    const wanted = target();
    const head = await beginSeal();
    leased = head.leased;
    headSeq = Math.max(headSeq, head.seq);
    settle();
    if (headSeq >= target()) return;
    if (!head.leased) {
      await (armed ?? listen().then(whenWoken));
      return;
    }
    if (head.pending.length === 0) {
      if (headSeq >= wanted) return;
      // Committed before the read, yet neither sealed nor pending: removed behind our back. Say
      // so and stop waiting for it; the chain's verification shows the gap.
      const error = new Error(`audit entries up to seq ${wanted} vanished before they were sealed`);
      if (owed <= wanted) owed = headSeq;
      settle(error, wanted);
      deps.onError?.(error);
      return;
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
      // Stored without prev: it is the hash of the record before (the reader puts it back).
      ...records.map(({ prev: _prev, ...stored }) => JSON.stringify(stored)),
    );
    if (outcome !== 'ok') return;
    headSeq = Math.max(headSeq, head.seq + records.length);
    deps.onSealed?.(records);
    settle();
  }

  async function run() {
    try {
      while (again || headSeq < target()) {
        again = false;
        try {
          await pass();
        } catch (error) {
          deps.onError?.(error);
          if (closed) {
            settle(error, Number.POSITIVE_INFINITY);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
        }
      }
    } finally {
      if (leased) await redis.jumpgateDropSealerLease(keys.auditSealer, token).catch(() => undefined);
      leased = false;
      running = undefined;
    }
    if (headSeq < target()) kick();
  }

  function kick() {
    if (running) again = true;
    else running = run();
  }

  // Woken when any process seals: a subscription on its own connection, opened on first need.
  let subscriber: Promise<RedisClient> | undefined;
  let wake: (() => void) | undefined;
  function listen(): Promise<RedisClient> {
    subscriber ??= (async () => {
      const connection = duplicateClient(redis);
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

  function sealedThrough(seq: number): Promise<void> {
    if (seq <= headSeq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      waiters.push({ seq, resolve, reject });
      kick();
    });
  }

  return {
    committed(seq) {
      owed = Math.max(owed, seq);
      kick();
    },
    async flush() {
      const [[, seq], [, length]] = (await redis
        .multi()
        .hget(keys.auditHead, 'seq')
        .llen(keys.auditPending)
        .exec()) as [[unknown, string | null], [unknown, number]];
      await sealedThrough(Number(seq ?? 0) + length);
    },
    async close() {
      closed = true;
      if (headSeq < owed) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          sealedThrough(owed).catch(() => undefined),
          new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
        ]);
        clearTimeout(timer);
      }
      const connection = await subscriber;
      subscriber = undefined;
      await connection?.quit().catch(() => undefined);
    },
  };
}
