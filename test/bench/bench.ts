import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { measureAcks } from './acks.js';
import { measureAuditAppends } from './audit-appends.js';
import { type BenchContext, responseIds } from './bench-context.js';
import type { BenchMode } from './bench-mode.js';
import { summarizeBotLog } from './bot-log.js';
import { startBotProcess } from './bot-process.js';
import { burstOfKeys, registerKeysCalmly } from './burst.js';
import { createCleanup } from './cleanup.js';
import { stealMeter } from './cpu-steal.js';
import { createOutput, type Figure } from './figures.js';
import { createMassGrants, measureGrantLatency, measurePace } from './grants.js';
import { reportKrl } from './krl-figures.js';
import { startBenchRedis } from './redis-server.js';
import { measureRevocations } from './revocations.js';
import { startSlackInbox } from './slack-inbox.js';
import { createSlackSender } from './slack-sender.js';
import { BENCH_APPROVER, writeBenchWorkflow } from './workflow.js';

const SIGNING_SECRET = 'be0c4a5e77f1c0ffee0123456789abcd';
const BOT_TOKEN = 'xoxb-0000-1111-jumpgatebench';
const PREFIX = 'bench';
const REPO_DIR = path.resolve(import.meta.dirname, '..', '..');

/**
 * One bench run: its own redis-server, a fake Slack, the bot as a child process, then the
 * phases in order (audit appends, burst, acks, grant latency, 10,000 grants and their
 * revocations), printing each figure as it is known. Everything it started is stopped and its
 * temporary folder removed, whatever happens.
 */
export async function runBench(
  mode: BenchMode,
  write: (line: string) => void,
  log: (line: string) => void,
  options: { readonly cpuProfDir?: string; readonly noMass?: boolean } = {},
): Promise<readonly Figure[]> {
  const out = createOutput(write);
  const cleanup = createCleanup(log);
  const started = Date.now();
  try {
    const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-bench-'));
    cleanup.add('the temporary folder', () => rm(dir, { recursive: true, force: true }));
    out.comment(`jumpgate bench, ${mode.name} mode, ${new Date().toISOString()}, ${machine()}`);
    const redis = await startBenchRedis(dir, cleanup);
    await measureAuditAppends({ mode, out, redis, repoDir: REPO_DIR, cleanup });

    const users = Array.from({ length: mode.burstUsers }, (_, i) => `U0BENCH${String(i + 1).padStart(4, '0')}`);
    const inbox = await startSlackInbox({
      token: BOT_TOKEN,
      users: [...users, BENCH_APPROVER].map((id) => ({ id, email: `${id.toLowerCase()}@bench.example` })),
    });
    cleanup.add('the fake Slack', () => inbox.slack.close());
    const workflowsDir = path.join(dir, 'workflows');
    await writeBenchWorkflow(workflowsDir);
    const dataDir = path.join(dir, 'data');
    const logFile = path.join(dir, 'bot.log');
    const bot = await startBotProcess(
      {
        repoDir: REPO_DIR,
        dataDir,
        workflowsDir,
        redisUrl: redis.url,
        prefix: PREFIX,
        slackApiUrl: inbox.slack.url,
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        logFile,
        ...(options.cpuProfDir === undefined ? {} : { cpuProfDir: options.cpuProfDir }),
      },
      cleanup,
    );
    const sender = createSlackSender({
      base: bot.base,
      signingSecret: SIGNING_SECRET,
      responseUrl: (id) => inbox.slack.responseUrl(id),
      maxSockets: 64,
    });
    cleanup.add('the sender', () => Promise.resolve(sender.close()));
    const progress = (line: string) => log(`bench: ${((Date.now() - started) / 1000).toFixed(0)} s: ${line}`);
    const steal = stealMeter();
    const phaseDone = (phase: string) => out.comment(`machine during ${phase}: ${steal()}, ${machine()}`);
    const ctx: BenchContext = {
      mode,
      out,
      bot,
      inbox,
      sender,
      redis,
      prefix: PREFIX,
      dataDir,
      progress,
      nextResponseId: responseIds(),
    };

    if (options.cpuProfDir)
      out.comment(`the bot runs with --cpu-prof: its profile is written to ${options.cpuProfDir} when it stops`);
    progress('the bot is up; burst of /jump key');
    const burstOk = await burstOfKeys(ctx, users);
    const burstOkSet = new Set(burstOk);
    const requesters = [
      ...burstOk,
      ...(await registerKeysCalmly(
        ctx,
        users.filter((u) => !burstOkSet.has(u)),
      )),
    ];
    if (requesters.length < mode.ackSenders)
      throw new Error(`only ${requesters.length} people could register a key; the bench needs ${mode.ackSenders}`);
    phaseDone('the burst');
    progress('acks');
    await measureAcks(ctx, requesters.slice(0, mode.ackSenders));
    phaseDone('the acks');

    const memoryBaseline = await redis.usedMemory();
    progress('grant latency');
    await measureGrantLatency(ctx, requesters);
    phaseDone('the grant latency');
    if (options.noMass) {
      out.comment('--no-mass: stopped after the grant latency');
      return out.figures;
    }
    progress('pace of the mass phase');
    const pace = await measurePace(ctx, requesters);
    progress(`${mode.massGrants} grants`);
    const mass = await createMassGrants(ctx, requesters, pace, memoryBaseline);
    phaseDone('the mass grants');
    progress('waiting for the revocations');
    await measureRevocations(ctx, mass);
    phaseDone('the revocations');

    out.comment('bot_rss_mb: VmHWM of the bot process (/proc/<pid>/status)');
    out.figure('bot_rss_mb', (await bot.peakRssBytes()) / (1024 * 1024), 'MiB');
    await reportKrl(ctx);
    if (sender.resent > 0)
      out.comment(`${sender.resent} posts were sent again after a kept-alive connection closed under them`);
    out.comment(await summarizeBotLog(logFile));
    out.comment(
      `Slack Web API calls: ${[...inbox.callCounts].map(([method, count]) => `${method} ${count}`).join(', ')}`,
    );
    out.comment(`run time ${((Date.now() - started) / 1000).toFixed(0)} s; at the end: ${machine()}`);
    return out.figures;
  } finally {
    await cleanup.run();
  }
}

/** The figures depend on what else the machine is doing: say so next to them. */
function machine(): string {
  return `${cpus().length} CPUs, load average ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`;
}
