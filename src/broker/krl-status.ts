import { z } from 'zod';
import { JumpgateError } from '../domain/errors.js';

/** What the bot reads of a broker's `GET /v1/krl/status`, for /metrics and /readyz. */
export interface BrokerKrlStatus {
  /** Seconds since any bastion last fetched the KRL (since the broker started when none has). */
  readonly fetchAgeSeconds: number;
  /** Revocations written to the KRL after the most recent fetch. */
  readonly revokedSinceFetch: number;
  /** Grants were revoked since the most recent KRL fetch, and no bastion has fetched it for over 5 minutes. */
  readonly stale: boolean;
  /** The KRL's size and its last write time, when the broker reports them. */
  readonly krlBytes?: number;
  readonly krlWriteMs?: number;
}

/**
 * The reference broker answers `fetchAgeSeconds` and `stale` itself; a broker that sends only
 * `{lastFetchAt, revokedSinceFetch}` gets them derived here, with the same 5 minutes.
 */
const STALE_AFTER_SECONDS = 300;
const statusResponse = z.object({
  lastFetchAt: z.iso.datetime({ offset: true }).nullable(),
  revokedSinceFetch: z.number().int().nonnegative(),
  fetchAgeSeconds: z.number().nonnegative().optional(),
  stale: z.boolean().optional(),
  krlBytes: z.number().nonnegative().optional(),
  krlWriteMs: z.number().nonnegative().optional(),
});

/**
 * Reads an external broker's KRL status (BROKER_URL set: the bot serves no KRL then, bastions
 * fetch it from the broker). Resolves undefined when the broker does not offer the route (404);
 * throws when it cannot be asked or answers something else.
 */
export function createKrlStatusReader(options: {
  readonly baseUrl: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly now?: () => number;
  readonly timeoutMs?: number;
}): () => Promise<BrokerKrlStatus | undefined> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/v1/krl/status`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  return async () => {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 2_000) });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`the broker answered ${response.status} to GET /v1/krl/status`);
    const body = statusResponse.parse(await response.json());
    const fetchAgeSeconds =
      body.fetchAgeSeconds ??
      (body.lastFetchAt === null ? Number.NaN : Math.max(0, (now() - Date.parse(body.lastFetchAt)) / 1000));
    return {
      fetchAgeSeconds,
      revokedSinceFetch: body.revokedSinceFetch,
      stale: body.stale ?? (body.revokedSinceFetch > 0 && !(fetchAgeSeconds <= STALE_AFTER_SECONDS)),
      ...(body.krlBytes === undefined ? {} : { krlBytes: body.krlBytes }),
      ...(body.krlWriteMs === undefined ? {} : { krlWriteMs: body.krlWriteMs }),
    };
  };
}

/** The /readyz check named `krl`: fails with `krl_stale` when revocations wait and no bastion has fetched the KRL for 5 minutes. */
export function krlStaleCheck(read: () => Promise<BrokerKrlStatus | undefined>): () => Promise<void> {
  return async () => {
    if ((await read())?.stale) {
      throw new JumpgateError('krl_stale', 'grants were revoked and no bastion has fetched the KRL for over 5 minutes');
    }
  };
}
