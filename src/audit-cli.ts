import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { isJumpgateError } from './domain/errors.js';
import type { AuditRecord } from './service/ports/audit.js';
import { GENESIS, verifyChain } from './store/audit-chain.js';
import { verifyTrail } from './store/audit-verify.js';
import { connectRedis } from './store/redis-connection.js';
import { createRedisStore } from './store/redis-store.js';

/**
 * `npm run audit -- verify [--archive <path>]`: checks the hash chain in Redis and, with an archive
 * (by default AUDIT_LOG_FILE once retention removed records from Redis), the archive from seq 1
 * joined to Redis; exits 1 on any break. `verify --file <path>`: a JSON-lines copy alone.
 * `npm run audit -- tail [n]`: prints the newest records.
 */
const USAGE = 'usage: npm run audit -- verify [--archive <audit.jsonl>] | verify --file <audit.jsonl> | tail [count]';

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
  if (command === 'verify' && rest.length > 0 && (rest[0] !== '--archive' || !rest[1] || rest.length > 2)) {
    console.error(USAGE);
    return 2;
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
    const cut = await store.retainedCut();
    // The archive is needed once records left Redis; before that Redis alone proves the chain.
    const archive = rest[1] ?? (cut.seq > 0 ? config.auditLogFile : undefined);
    const outcome = await verifyTrail(store, archive);
    if (!outcome.ok) return report(outcome.seq, outcome.problem);
    const where =
      cut.seq === 0
        ? ''
        : archive
          ? ` (1..${cut.seq} from ${archive}, the rest from Redis)`
          : ` (1..${cut.seq} left Redis and were not checked: pass --archive <file>; from Redis from seq ${cut.seq + 1})`;
    console.log(`audit chain OK: ${outcome.records} records, head ${outcome.head}${where}`);
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
