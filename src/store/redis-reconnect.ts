/**
 * How every Redis connection of the bot reconnects: the store's, and BullMQ's own (queues,
 * workers and their blocking connections), which take the same options. ioredis's default waits
 * up to 2 s between tries and BullMQ's grows as e^n up to 20 s, so after a 10 s outage a click
 * waited seconds for a connection that was long possible again. A short, flat delay, forever:
 * trying a refused loopback or LAN connection costs next to nothing, and commands keep waiting
 * for the reconnect in the offline queue (maxRetriesPerRequest: null) instead of failing.
 */
export const RECONNECT_DELAY_MS = 200;
/** The first tries come sooner: most outages are a restart or a fail-over of a few seconds. */
const FIRST_DELAY_MS = 50;

/** ioredis's retryStrategy: milliseconds until the next try (never null: never give up). */
export function reconnectDelay(times: number): number {
  return times <= 1 ? FIRST_DELAY_MS : RECONNECT_DELAY_MS;
}

/**
 * Spread into the options of every ioredis and BullMQ connection. maxRetriesPerRequest null: a
 * command waits for the reconnect however long the outage lasts. BullMQ sets it only on its
 * blocking connections; on its queues' ones ioredis's default (20 tries) would fail an add after
 * 20 × RECONNECT_DELAY_MS, about 4 s of outage.
 */
export const RECONNECT = { retryStrategy: reconnectDelay, maxRetriesPerRequest: null } as const;
