import { readFileSync } from 'node:fs';

/** The machine's CPU time counters (/proc/stat's first line, in ticks), or undefined off Linux. */
interface CpuTicks {
  readonly steal: number;
  readonly total: number;
}

function readTicks(): CpuTicks | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number);
    if (!fields || fields.length < 8 || fields.some(Number.isNaN)) return undefined;
    // user nice system idle iowait irq softirq steal (guest time is already inside user).
    return { steal: fields[7] ?? 0, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/**
 * Steal time: the share of CPU time the hypervisor gave to other guests while this ran. On a
 * shared virtual machine it varies from 0 to a third between minutes, and every figure with it:
 * the bench prints it next to each phase so a disturbed run shows as one.
 */
export function stealMeter(): () => string {
  let last = readTicks();
  return () => {
    const now = readTicks();
    const before = last;
    last = now;
    if (!now || !before || now.total === before.total) return 'CPU steal unknown';
    return `CPU steal ${((100 * (now.steal - before.steal)) / (now.total - before.total)).toFixed(1)}%`;
  };
}
