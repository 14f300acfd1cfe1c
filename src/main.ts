import { pino } from 'pino';
import { CONNECT_SLACK, type RunningJumpgate, SHUTDOWN_GRACE_MS, startJumpgate } from './app.js';
import { type Config, describeConfig, loadConfig } from './config.js';
import { isJumpgateError } from './domain/errors.js';

/** Secrets never reach the log, whatever object they travel in. */
const REDACT = [
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.password',
  '*.privateKey',
  '*.d',
  'headers.authorization',
];

/**
 * A stop that takes longer than this (the grace for in-flight work, then closing: a Redis that is
 * down never answers QUIT) ends the process anyway, with code 1 and a log line saying so.
 */
const STOP_DEADLINE_MS = SHUTDOWN_GRACE_MS + 5_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    return exitWith(error);
  }
  // Asynchronous writes: the lines logged while one write is in flight leave together, so a burst
  // costs a few syscalls rather than one per line; flushed before the process exits.
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
  const exit = (code: number) => destination.flush(() => process.exit(code));
  logger.info({ config: describeConfig(config) }, 'starting Jumpgate');
  let running: RunningJumpgate | undefined;
  let stopping = false;
  // SIGHUP reloads the workflow files (as their change does); an invalid change keeps the policy.
  // Registered first: a SIGHUP during start-up must not end the process (its default action).
  process.on('SIGHUP', () => {
    if (stopping || !running) return;
    logger.info({ signal: 'SIGHUP' }, 'reloading the workflow files');
    running.reloadPolicy().catch((error: unknown) => logger.error({ err: error }, 'the policy reload failed'));
  });
  try {
    running = await startJumpgate(config, logger);
  } catch (error) {
    return destination.flush(() => exitWith(error));
  }
  if (running.workspaceUrl) {
    // The log is JSON for machines; a person trying Jumpgate out reads this first.
    console.error(
      `\njumpgate: local workspace ready — open ${running.workspaceUrl} (no Slack variable is set; this page stands in for Slack)\njumpgate: ${CONNECT_SLACK}\n`,
    );
    logger.info(
      { url: running.workspaceUrl },
      `local workspace: no Slack variable is set, so a local page stands in for Slack: open ${running.workspaceUrl} in a browser (loopback only). To ${CONNECT_SLACK.replace(/^to /, '')}`,
    );
  }
  const started = running;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error({ ms: STOP_DEADLINE_MS }, 'the stop did not finish in time: exiting anyway');
      exit(1);
    }, STOP_DEADLINE_MS).unref();
    started.stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** Start-up failures are one line each: what is wrong and the fix, never a stack trace. */
function exitWith(error: unknown): void {
  const message = isJumpgateError(error) ? error.message : error instanceof Error ? error.message : String(error);
  for (const line of message.split('\n')) console.error(`jumpgate: ${line}`);
  process.exit(1);
}

void main();
