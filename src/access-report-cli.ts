import { pino } from 'pino';
import { loadConfig } from './config.js';
import { ACCESS_COLUMNS, type AccessRow, accessRows, cellOf } from './domain/access-report.js';
import { parseDuration } from './domain/duration.js';
import { isJumpgateError } from './domain/errors.js';
import { connectRedis } from './store/redis-connection.js';
import { createRedisStore } from './store/redis-store.js';

/**
 * `npm run access-report -- <target> [--since 90d] [--format csv|json|text]`: who had access to a
 * target, when, approved by whom, from the audit trail in Redis (what a decommissioning review
 * reads). Works for any target, retired or not. Exit codes: 0 report printed, 2 usage error.
 */
const USAGE = `usage: npm run access-report -- <target> [--since <duration>] [--format csv|json|text]

  <target>            the target's name (retired and removed targets too)
  --since <duration>  only access held within this long before now (90d, 12h, 30m); default: all
  --format <format>   text (default), csv, or json (one array of rows)`;
const CHUNK = 1000;
const FORMATS = ['text', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

type Args = { readonly target: string; readonly sinceMs?: number; readonly format: Format };

function parseArgs(argv: readonly string[]): Args | string {
  let target: string | undefined;
  let sinceMs: number | undefined;
  let format: Format = 'text';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const value = argv[i + 1];
    if (arg === '--since' || arg === '--format') {
      if (value === undefined) return `${arg} needs a value`;
      i += 1;
      if (arg === '--format') {
        if (!(FORMATS as readonly string[]).includes(value)) return `--format ${value}: use csv, json or text`;
        format = value as Format;
      } else {
        try {
          sinceMs = parseDuration(value);
        } catch (error) {
          return `--since ${value}: ${isJumpgateError(error) ? error.message : String(error)}`;
        }
      }
    } else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else if (target === undefined) target = arg;
    else return `one target at a time (got ${target} and ${arg})`;
  }
  if (target === undefined) return 'name the target';
  return { target, format, ...(sinceMs === undefined ? {} : { sinceMs }) };
}

function csvCell(value: string): string {
  // Quotes for commas, quotes and newlines; a leading = + - @ is defused so a spreadsheet does not run it.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function render(rows: readonly AccessRow[], format: Format, target: string): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === 'csv') {
    const lines = [
      ACCESS_COLUMNS.join(','),
      ...rows.map((row) => ACCESS_COLUMNS.map((c) => csvCell(cellOf(row, c))).join(',')),
    ];
    return `${lines.join('\n')}\n`;
  }
  if (rows.length === 0) return `No access to ${target} in the audit trail.\n`;
  const out = [`Access to ${target}: ${rows.length} ${rows.length === 1 ? 'grant' : 'grants'}`, ''];
  for (const row of rows) {
    const end = row.ended
      ? `${row.ended} ${row.endedAt} by ${row.endedBy}${row.endReason ? ` (${row.endReason})` : ''}`
      : 'active';
    out.push(
      `${row.grantedAt}  ${row.holder}${row.vendor ? ` for ${row.vendor}` : ''}  ${row.kind}  approved by ${row.approvedBy.join(', ') || '-'}`,
      `    until ${row.notAfter ?? '?'}; ${end}`,
      `    reason: ${row.reason}${row.ticket ? ` [${row.ticket}]` : ''}${row.review ? `; review: ${row.review}` : ''}`,
      `    ${row.requestId} ${row.grantId}`,
    );
  }
  return `${out.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    console.error(`${args}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const connection = await connectRedis({
    url: config.redisUrl,
    topology: config.redisTopology,
    dataDir: config.dataDir,
    logger: pino({ level: 'warn' }),
  });
  try {
    const store = createRedisStore({ redis: connection.redis, prefix: config.prefix, now: Date.now });
    const records = [];
    // From the first record Redis keeps: older ones left with retention (they are in the archive).
    for (let seq = (await store.retainedCut()).seq + 1; ; seq += CHUNK) {
      const chunk = await store.range(seq, seq + CHUNK - 1);
      records.push(...chunk.filter((record) => record.target === args.target));
      if (chunk.length < CHUNK) break;
    }
    const since = args.sinceMs === undefined ? undefined : Date.now() - args.sinceMs;
    process.stdout.write(render(accessRows(records, args.target, since), args.format, args.target));
    return 0;
  } finally {
    await connection.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`access-report: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
