import path from 'node:path';
import { pino } from 'pino';
import { isJumpgateError, JumpgateError } from '../../domain/errors.js';
import { startBrokerServer } from './broker-server.js';
import { assertRootOnlySshdLog } from './sshd-log-file-check.js';
import { createSshdSessionTerminator } from './sshd-sessions.js';
import { parseTrustedKeysSetting } from './trusted-keys.js';

/**
 * `npm run broker`: the reference broker as its own process, e.g. on the bastion itself.
 * Environment: BROKER_TRUSTED_KEYS (required), BROKER_PORT (8600), BROKER_HOST (127.0.0.1),
 * DATA_DIR (./data/broker), BROKER_KRL_FILE (<DATA_DIR>/revoked.krl), BROKER_SSHD_LOG, LOG_LEVEL.
 */
async function main(): Promise<void> {
  const env = process.env;
  const trustedKeys = parseTrustedKeysSetting(env.BROKER_TRUSTED_KEYS);
  const port = parsePort(env.BROKER_PORT);
  const host = env.BROKER_HOST?.trim() || '127.0.0.1';
  const dataDir = path.resolve(env.DATA_DIR?.trim() || './data/broker');
  const krlPath = env.BROKER_KRL_FILE?.trim() ? path.resolve(env.BROKER_KRL_FILE.trim()) : undefined;
  const logger = pino({ level: env.LOG_LEVEL?.trim() || 'info', name: 'jumpgate-broker' });

  const sshdLog = env.BROKER_SSHD_LOG?.trim();
  if (sshdLog) await assertRootOnlySshdLog(sshdLog);
  const sessions = sshdLog ? createSshdSessionTerminator({ logFile: sshdLog, logger }) : undefined;
  const broker = await startBrokerServer({
    dataDir,
    trustedKeys,
    host,
    port,
    logger,
    ...(krlPath ? { krlPath } : {}),
    ...(sessions ? { sessions } : {}),
  });
  logger.info(
    { url: broker.url, sshdLog: sshdLog ?? null },
    host === '127.0.0.1' || host === '::1' || host === 'localhost'
      ? 'broker ready on loopback only; set BROKER_HOST=0.0.0.0 (behind TLS) for the bot to reach it from another machine'
      : 'broker ready',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'broker stopping');
    void Promise.all([broker.close(), sessions?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'broker did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

function parsePort(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 8600;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new JumpgateError('config_invalid', `BROKER_PORT must be a port number from 1 to 65535 (got "${text}")`, {
      details: { variable: 'BROKER_PORT' },
    });
  }
  return port;
}

main().catch((error: unknown) => {
  console.error(isJumpgateError(error) ? error.message : error instanceof Error ? error.message : String(error));
  process.exit(1);
});
