import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext } from './bench-context.js';
import { metricValue } from './bot-process.js';

/**
 * krl_bytes and krl_write_ms at the end of the run. The KRL as bastions fetch it (GET /v1/krl
 * on the bot's listener in embedded mode), else the file under DATA_DIR/broker; the write time
 * from the bot's /metrics when it reports one.
 */
export async function reportKrl(ctx: BenchContext): Promise<void> {
  const served = await fetch(`${ctx.bot.base}/v1/krl`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  if (served?.ok) {
    ctx.out.comment('krl_bytes: GET /v1/krl on the bot, as a bastion fetches it');
    ctx.out.figure('krl_bytes', (await served.arrayBuffer()).byteLength, 'bytes');
  } else {
    const file = path.join(ctx.dataDir, 'broker', 'revoked.krl');
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    ctx.out.comment(
      `krl_bytes: size of DATA_DIR/broker/revoked.krl (GET /v1/krl answered ${served?.status ?? 'nothing'})`,
    );
    ctx.out.figure('krl_bytes', size ?? 'n/a', 'bytes');
  }
  const metrics = await ctx.bot.metrics();
  const writeMs =
    metricValue(metrics, 'krl_write_ms') ??
    secondsToMs(metricValue(metrics, 'krl_write_seconds')) ??
    secondsToMs(metricValue(metrics, 'krl_last_write_seconds'));
  ctx.out.comment(
    writeMs === undefined
      ? 'krl_write_ms: the bot reports no KRL write time (no krl_write_* metric)'
      : "krl_write_ms: the last KRL write, as the bot's /metrics reports it (jumpgate_krl_write_seconds)",
  );
  ctx.out.figure('krl_write_ms', writeMs ?? 'n/a', 'ms');
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}
