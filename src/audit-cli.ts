import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { isJumpgateError } from './domain/errors.js';
import type { AuditRecord } from './service/ports/audit.js';
import { GENESIS, verifyChain } from './store/audit-chain.js';
import { connectRedis } from './store/redis-connection.js';
import { createRedisStore } from './store/redis-store.js';

/**
 * `npm run audit -- verify [--file <path>]`: checks the hash chain in Redis (and in a JSON-lines
 * copy), exits 1 on any break. `npm run audit -- tail [n]`: prints the newest records.
 */
const USAGE = 'usage: npm run audit -- verify [--file <audit.jsonl>] | tail [count]';
const CHUNK = 1000;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'verify' && command !== 'tail') {
    console.error(USAGE);
    return 2;
  }
  if (command === 'verify' && rest[0] === '--file') {
    if (!rest[1]) {
      console.error(USAGE);
      return 2;
    }
    return verifyFile(rest[1]);
  }
  const config = loadConfig();
  const logger = pino({ level: 'warn' });
  const connection = await connectRedis({
    url: config.redisUrl,
    topology: config.redisTopology,
    dataDir: config.dataDir,
    logger,
  });
  try {
    const store = createRedisStore({ redis: connection.redis, prefix: config.prefix, now: Date.now });
    if (command === 'tail') {
      const count = Number(rest[0] ?? 20);
      if (!Number.isInteger(count) || count < 1) {
        console.error(USAGE);
        return 2;
      }
      for (const record of await store.tail(count)) console.log(JSON.stringify(record));
      return 0;
    }
    let prev = GENESIS;
    let seq = 1;
    for (;;) {
      const records = await store.range(seq, seq + CHUNK - 1);
      const broken = verifyChain(records, prev, seq);
      if (broken) return report(broken.seq, broken.problem);
      if (records.length === 0) break;
      prev = records[records.length - 1]!.hash;
      seq += records.length;
    }
    console.log(`audit chain OK: ${seq - 1} records, head ${prev}`);
    return 0;
  } finally {
    await connection.close();
  }
}

async function verifyFile(file: string): Promise<number> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const records: AuditRecord[] = [];
  for (const [index, line] of lines.entries()) {
    try {
      records.push(JSON.parse(line) as AuditRecord);
    } catch {
      return report(index + 1, `line ${index + 1} of ${file} is not JSON`);
    }
  }
  const broken = verifyChain(records);
  if (broken) return report(broken.seq, broken.problem);
  console.log(
    `audit chain OK: ${records.length} records in ${file}, head ${records[records.length - 1]?.hash ?? GENESIS}`,
  );
  return 0;
}

function report(seq: number, problem: string): number {
  console.error(`audit chain BROKEN at seq ${seq}: ${problem}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      isJumpgateError(error) ? error.message : `audit: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
