import type { BenchRedis } from './redis-server.js';

/**
 * Where Redis's memory goes, by key shape: every key's `MEMORY USAGE` summed over keys whose name
 * is the same once ids are replaced by `*` (`jumpgate:req:*`, `jumpgate:bull:expire:*`), largest
 * first. A list or sorted set shared by all grants (the audit list, the indexes) is one shape.
 */
export async function memoryByKeyShape(
  redis: BenchRedis,
  top = 12,
): Promise<{ shape: string; keys: number; bytes: number }[]> {
  const shapes = new Map<string, { keys: number; bytes: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.client.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const bytes = Number(sizes[i]?.[1] ?? 0);
      const shape = key.replace(/(req|grant)_[A-Za-z0-9_-]+/g, '$1_*').replace(/:(U|C|S)[A-Z0-9]{4,}/g, ':$1*');
      const entry = shapes.get(shape) ?? { keys: 0, bytes: 0 };
      entry.keys += 1;
      entry.bytes += bytes;
      shapes.set(shape, entry);
    });
  } while (cursor !== '0');
  return [...shapes]
    .map(([shape, entry]) => ({ shape, ...entry }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}
