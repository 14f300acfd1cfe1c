import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { freePort } from '../../src/store/local-redis.js';
import { type Cleanup, stopChild } from './cleanup.js';

export interface BotSettings {
  readonly repoDir: string;
  readonly dataDir: string;
  readonly workflowsDir: string;
  /** Unset for Sentinel or Cluster variables given in `env` (REDIS_URL would conflict with them). */
  readonly redisUrl?: string;
  readonly prefix: string;
  readonly slackApiUrl: string;
  readonly botToken: string;
  readonly signingSecret: string;
  /** The bot's stdout and stderr (pino JSON lines at LOG_LEVEL=warn). */
  readonly logFile: string;
  /** When set, the bot runs with `node --cpu-prof` and writes its profile here on exit. */
  readonly cpuProfDir?: string;
  /** More of the bot's environment (e.g. BROKER_URL and JUMPGATE_SIGNING_KEY for an external broker). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface BotProcess {
  readonly pid: number;
  /** The child itself (to kill it, or to wait for its exit). */
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<PORT>` */
  readonly base: string;
  /** The Prometheus text of GET /metrics. */
  metrics(): Promise<string>;
  /** VmHWM of /proc/<pid>/status: the peak resident set size, in bytes. */
  peakRssBytes(): Promise<number>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * The bot as users run it: `node --import tsx src/main.ts` in HTTP mode, configured only through
 * its environment, started from the repository; resolves once GET /healthz answers 200.
 */
export async function startBotProcess(settings: BotSettings, cleanup: Cleanup): Promise<BotProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SLACK_BOT_TOKEN: settings.botToken,
    SLACK_SIGNING_SECRET: settings.signingSecret,
    SLACK_API_URL: settings.slackApiUrl,
    ...(settings.redisUrl ? { REDIS_URL: settings.redisUrl } : {}),
    JUMPGATE_PREFIX: settings.prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: settings.dataDir,
    WORKFLOWS_DIR: settings.workflowsDir,
    LOG_LEVEL: 'warn',
    // As `npm start` sets it (package.json): the broker's fsyncs need more than libuv's 4 threads.
    UV_THREADPOOL_SIZE: '16',
    ...settings.env,
  };
  const profile = settings.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/main.ts'], {
    cwd: settings.repoDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.child(child);
  cleanup.add('the bot', () => stopChild(child, 10_000));
  const log = createWriteStream(settings.logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited = false;
  child.once('exit', () => (exited = true));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited)
      throw new Error(
        `the bot exited during start-up; its log: ${(await readFile(settings.logFile, 'utf8').catch(() => '')).slice(-2_000)}`,
      );
    const status = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`the bot did not answer /healthz within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('the bot has no pid');

  return {
    pid,
    child,
    base,
    async metrics() {
      const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
      return res.text();
    },
    async peakRssBytes() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
      if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
      return Number(match[1]) * 1024;
    },
  };
}

/** The value of a metric (without labels) in Prometheus text, with or without the `jumpgate_` prefix. */
export function metricValue(text: string, name: string): number | undefined {
  for (const candidate of [`jumpgate_${name}`, name]) {
    const match = new RegExp(`^${candidate} ([0-9.eE+-]+)$`, 'm').exec(text);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** The bot's CPU time so far (user + system), in ms, from prom-client's process metrics. */
export function cpuMs(text: string): number | undefined {
  const user = metricValue(text, 'process_cpu_user_seconds_total');
  const system = metricValue(text, 'process_cpu_system_seconds_total');
  return user === undefined || system === undefined ? undefined : (user + system) * 1000;
}
