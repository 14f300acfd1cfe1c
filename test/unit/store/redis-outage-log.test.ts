import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createOutageLog, isConnectionError } from '../../../src/store/redis-outage-log.js';

function recording() {
  const lines: { level: number; msg: string; downMs?: number; source?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as never) });
  return { logger, lines };
}

/** An error as Node's net module makes it. */
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });

describe('the outage log', () => {
  it('tells connection errors from others', () => {
    expect(isConnectionError(refused())).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error('Missing lock for job 7'))).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
  });

  it('writes one line when an outage starts and one when it ends, whatever the number of failed tries', () => {
    const { logger, lines } = recording();
    let now = 1_000;
    const log = createOutageLog(logger, () => now);
    log.ready();
    for (let i = 0; i < 50; i++) log.error(refused(), i % 2 ? 'store' : 'jobs-expire');
    now = 11_000;
    log.ready();
    log.ready();
    expect(lines.map((l) => [l.level, l.msg.split(':')[0]])).toEqual([
      [50, 'Redis is unreachable'],
      [40, 'Redis is reachable again'],
    ]);
    expect(lines[1]?.downMs).toBe(10_000);
    log.error(refused(), 'store');
    expect(lines).toHaveLength(3);
  });

  it('logs every error that is not about the connection', () => {
    const { logger, lines } = recording();
    const log = createOutageLog(logger);
    log.error(new Error('Missing lock for job 7'), 'jobs-expire');
    log.error(new Error('Missing lock for job 8'), 'jobs-expire');
    expect(lines.map((l) => [l.msg, l.source])).toEqual([
      ['error of a Redis connection or job queue', 'jobs-expire'],
      ['error of a Redis connection or job queue', 'jobs-expire'],
    ]);
  });
});
