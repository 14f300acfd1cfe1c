import { createGroupCommit } from './group-commit.js';
import type { Krl } from './krl.js';

/**
 * How long after its notAfter a revoked serial stays in the KRL. sshd refuses an expired
 * certificate by itself, but against its own clock: the margin covers a bastion whose clock
 * lags the broker's. Grant records are pruned after the same margin.
 */
export const KRL_EXPIRY_MARGIN_MS = 10 * 60_000;

export interface RevokedSerial {
  readonly serial: string;
  /** The certificate's end: once it is KRL_EXPIRY_MARGIN_MS past, the serial leaves the KRL. */
  readonly notAfterMs: number;
}

/** The KRL's figures since start, for `GET /v1/krl/status` (and the bench's krl_bytes, krl_write_ms). */
export interface KrlStats {
  /** Serials in the KRL as last written. */
  readonly serials: number;
  readonly bytes: number;
  /** How long the last write took (encode, fsync, rename). */
  readonly writeMs: number;
  readonly writes: number;
  /** Serials revoked since start; far more than `writes` under load, since writes are shared. */
  readonly revocations: number;
}

export interface RevocationList {
  /** Resolves once a KRL naming this serial is in place (renamed and synced); rejects when that write failed. */
  add(entry: RevokedSerial): Promise<void>;
  /** Writes the KRL from what it holds, without what expired: at start, and when something expired. */
  rewrite(): Promise<void>;
  /** A serial held is past its margin: a rewrite would drop it. */
  hasExpired(): boolean;
  stats(): KrlStats;
}

export interface RevocationListDeps {
  readonly krl: Krl;
  readonly now: () => number;
  /** The revoked grants on disk at start. */
  readonly initial: readonly RevokedSerial[];
  /** Called after a write that added serials to the KRL, with how many it added. */
  readonly onAdded?: (count: number) => void;
}

/**
 * The revoked serials that still matter, and the one path that writes the KRL. Revocations that
 * arrive together share one write (group commit): the cost of a burst is a few KRL writes,
 * and the KRL stays as small as the set of certificates that have not expired yet.
 */
export function createRevocationList(deps: RevocationListDeps): RevocationList {
  const held = new Map<string, number>(deps.initial.map((entry) => [entry.serial, entry.notAfterMs]));
  let stats: KrlStats = { serials: 0, bytes: 0, writeMs: 0, writes: 0, revocations: 0 };
  const alive = (notAfterMs: number, nowMs: number) => notAfterMs + KRL_EXPIRY_MARGIN_MS > nowMs;

  // An undefined item asks for a write without adding anything (rewrite()).
  const commit = createGroupCommit<RevokedSerial | undefined>(async (items) => {
    const nowMs = deps.now();
    const next = new Map<string, number>();
    for (const [serial, notAfterMs] of held) if (alive(notAfterMs, nowMs)) next.set(serial, notAfterMs);
    let added = 0;
    let listed = 0;
    for (const entry of items) {
      if (entry === undefined || held.has(entry.serial)) continue;
      added += 1;
      // A certificate long expired is refused by sshd anyway: nothing for a bastion to fetch.
      if (!alive(entry.notAfterMs, nowMs)) continue;
      listed += 1;
      next.set(entry.serial, entry.notAfterMs);
    }
    const written = await deps.krl.write([...next.keys()]);
    held.clear();
    for (const [serial, notAfterMs] of next) held.set(serial, notAfterMs);
    stats = {
      serials: written.serials,
      bytes: written.bytes,
      writeMs: written.ms,
      writes: stats.writes + 1,
      revocations: stats.revocations + added,
    };
    if (listed > 0) deps.onAdded?.(listed);
  });

  return {
    add: (entry) => commit.submit(entry),
    rewrite: () => commit.submit(undefined),
    hasExpired() {
      const nowMs = deps.now();
      for (const notAfterMs of held.values()) if (!alive(notAfterMs, nowMs)) return true;
      return false;
    },
    stats: () => stats,
  };
}
