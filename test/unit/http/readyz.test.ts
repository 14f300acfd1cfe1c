import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../src/domain/errors.js';
import { type HttpServerDeps, type RunningHttpServer, startHttpServer } from '../../../src/http/http-server.js';

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A logger that keeps what it was given, to show the detail went there. */
function recordingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

async function serve(
  readiness: HttpServerDeps['readiness'],
  logger = pino({ level: 'silent' }),
  more: Partial<HttpServerDeps> = {},
) {
  const server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    isReady: () => true,
    readiness,
    jwks: () => ({ keys: [] }),
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
    logger,
    ...more,
  });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

describe('/readyz', () => {
  it('answers a failed check with a code, and logs the error', async () => {
    const { logger, lines } = recordingLogger();
    const base = await serve(
      {
        redis: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379 (redis://:hunter2@10.0.0.7)')),
        broker: () =>
          Promise.reject(new JumpgateError('broker_unavailable', 'the broker at http://10.0.0.8:8600 is down')),
        krl: () => Promise.resolve(),
      },
      logger,
    );
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ok: false,
      checks: { redis: 'unavailable', broker: 'broker_unavailable', krl: 'ok' },
    });
    const logged = lines.join('\n');
    expect(logged).toContain('ECONNREFUSED 10.0.0.7:6379');
    expect(logged).toContain('readiness check failed');
  });

  it('answers 200 when every check passes', async () => {
    const base = await serve({ redis: () => Promise.resolve() });
    const res = await fetch(`${base}/readyz`);
    expect([res.status, await res.json()]).toEqual([200, { ok: true, checks: { redis: 'ok' } }]);
  });

  it('answers 503 at once once the bot is stopping, as /slack/events does, while /healthz stays 200', async () => {
    let stopping = false;
    let slackCalls = 0;
    const base = await serve({ redis: () => Promise.resolve() }, pino({ level: 'silent' }), {
      isStopping: () => stopping,
      slackEvents: (_req, res) => {
        slackCalls += 1;
        res.end('');
      },
    });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    stopping = true;
    const readyz = await fetch(`${base}/readyz`);
    expect([readyz.status, await readyz.json()]).toEqual([503, { ok: false, reason: 'stopping' }]);
    const events = await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' });
    expect([events.status, events.headers.get('retry-after')]).toEqual([503, '1']);
    await events.text();
    expect(slackCalls).toBe(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
