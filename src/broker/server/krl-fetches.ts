/**
 * A revocation reaches a bastion that does not run the broker only when that bastion fetches the
 * KRL again. This remembers who fetched it and when, so an operator can see (and alert on) a KRL
 * that no bastion has taken since grants were revoked.
 */
export const KRL_STALE_AFTER_MS = 5 * 60_000;
/** The fetch log is fed by a public route: it keeps this many clients at most (the least recent leave). */
const MAX_CLIENTS = 256;

export interface KrlClient {
  /** `?bastion=<name>`, when the fetcher names itself (the README's timer does). */
  readonly bastion?: string;
  /** The connection's remote address (behind a proxy, the proxy's: name the bastion then). */
  readonly address?: string;
}

/** The body of `GET /v1/krl/status` without the KRL's own figures. */
export interface KrlFetchStatus {
  /** The most recent fetch (200 or 304) by any client; null when none since the broker started. */
  readonly lastFetchAt: string | null;
  /** Seconds since that fetch, or since the broker started when there was none. */
  readonly fetchAgeSeconds: number;
  /** Revocations written to the KRL after the most recent fetch: no bastion fetching has them yet. */
  readonly revokedSinceFetch: number;
  /**
   * Grants were revoked since the most recent fetch, and that fetch is more than 5 minutes old
   * (or none came in the 5 minutes since the broker started). Never true when the broker writes
   * the file sshd reads itself (BROKER_KRL_FILE), where nothing needs to fetch.
   */
  readonly stale: boolean;
  /** Distinct clients seen (by `bastion` name, else address). */
  readonly clients: number;
}

export interface KrlFetchLog {
  recordFetch(client: KrlClient): void;
  recordRevocations(count: number): void;
  status(): KrlFetchStatus;
}

export function createKrlFetchLog(deps: { now: () => number; fetchExpected: boolean }): KrlFetchLog {
  const startedAtMs = deps.now();
  const clients = new Map<string, number>();
  let lastFetchMs: number | undefined;
  let revokedSinceFetch = 0;

  return {
    recordFetch(client) {
      const nowMs = deps.now();
      const key = client.bastion !== undefined ? `bastion:${client.bastion}` : `address:${client.address ?? 'unknown'}`;
      // Re-inserting keeps the Map in fetch order, so the first key is the least recent client.
      clients.delete(key);
      clients.set(key, nowMs);
      if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
      lastFetchMs = nowMs;
      revokedSinceFetch = 0;
    },
    recordRevocations(count) {
      if (count > 0) revokedSinceFetch += count;
    },
    status() {
      const ageMs = deps.now() - (lastFetchMs ?? startedAtMs);
      return {
        lastFetchAt: lastFetchMs === undefined ? null : new Date(lastFetchMs).toISOString(),
        fetchAgeSeconds: Math.max(0, Math.floor(ageMs / 1000)),
        revokedSinceFetch,
        stale: deps.fetchExpected && revokedSinceFetch > 0 && ageMs > KRL_STALE_AFTER_MS,
        clients: clients.size,
      };
    },
  };
}
