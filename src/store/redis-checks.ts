import { Cluster, type Redis } from 'ioredis';
import { JumpgateError } from '../domain/errors.js';
import type { Logger } from '../service/ports/logger.js';

/**
 * Start-up checks of the Redis server's settings. Jumpgate keeps its records, grants and audit
 * chain in Redis: a server that evicts keys under memory pressure would drop them silently, so
 * it is refused; a server that keeps nothing on disk loses them all at its restart, so it is
 * warned about (a deliberate choice for some, e.g. a replica set that fails over instead).
 */

/** One field of an `INFO` section (`name:value` lines), undefined when absent. */
export function infoField(info: string, name: string): string | undefined {
  for (const line of info.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon) === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** `CONFIG GET`'s reply ([name, value]) as the value; undefined when the server answered nothing. */
function configValue(reply: unknown): string | undefined {
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
}

/**
 * Whether the server keeps data on disk: an append-only file (`INFO persistence` aof_enabled:1)
 * or RDB save points (`CONFIG GET save` not empty). `save` undefined: CONFIG refused (managed
 * Redis often does), so only the AOF can tell.
 */
export function persistenceOf(
  persistenceInfo: string,
  save: string | undefined,
): { aof: boolean; rdb: boolean | undefined } {
  return {
    aof: infoField(persistenceInfo, 'aof_enabled') === '1',
    rdb: save === undefined ? undefined : save.trim() !== '',
  };
}

/** The one line that refuses a server that evicts (the start-up error). */
export function evictionRefusal(where: string, policy: string): string {
  return `Redis at ${where} evicts keys (maxmemory-policy ${policy}): set maxmemory-policy noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf)`;
}

/** The warning line when the server keeps nothing on disk. */
export const NO_PERSISTENCE_WARNING =
  'Redis keeps no data on disk (no AOF, no RDB save points): a restart of the server loses every request, grant and audit entry not yet copied elsewhere; turn on the append-only file (redis-cli CONFIG SET appendonly yes, and appendonly yes in redis.conf)';

/** CONFIG GET, or undefined when the server refuses it (managed Redis renames or forbids CONFIG). */
async function configGet(redis: Redis, name: string): Promise<string | undefined> {
  try {
    return configValue(await redis.config('GET', name));
  } catch {
    return undefined;
  }
}

async function info(redis: Redis, section: string): Promise<string | undefined> {
  try {
    return await redis.info(section);
  } catch {
    return undefined;
  }
}

/**
 * Refuses (throws `redis_evicts`) a server whose maxmemory-policy is not noeviction; warns when
 * the policy cannot be read, and when the server keeps nothing on disk. `where` names the server
 * in the messages (never a password).
 */
export async function checkRedisSettings(redis: Redis | Cluster, where: string, logger: Logger): Promise<void> {
  // A Cluster keeps every key of a deployment on one master, but which one can change at a
  // failover or a resharding: every master must keep what it is given.
  if (redis instanceof Cluster) {
    for (const node of redis.nodes('master')) {
      await checkRedisSettings(node, `${where}, node ${node.options.host ?? '?'}:${node.options.port ?? '?'}`, logger);
    }
    return;
  }
  const policy =
    (await configGet(redis, 'maxmemory-policy')) ?? infoField((await info(redis, 'memory')) ?? '', 'maxmemory_policy');
  if (policy === undefined) {
    logger.warn(
      { redis: where },
      'could not read the Redis maxmemory-policy (CONFIG and INFO memory refused): make sure it is noeviction, or records may be evicted',
    );
  } else if (policy !== 'noeviction') {
    throw new JumpgateError('redis_evicts', evictionRefusal(where, policy), { details: { policy } });
  }
  const persistence = await info(redis, 'persistence');
  if (persistence === undefined) return;
  const { aof, rdb } = persistenceOf(persistence, await configGet(redis, 'save'));
  // RDB unknown (CONFIG refused, as managed services do, which snapshot on their own): no warning.
  if (!aof && rdb === false) logger.warn({ redis: where }, NO_PERSISTENCE_WARNING);
}
