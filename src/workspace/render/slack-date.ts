import type { RenderContext } from './html.js';

/**
 * A `<!date^…^FORMAT|…>` token's text in the reader's time zone, with Slack's format tokens:
 * {date_num}, {date}, {date_short}, {date_long}, the `_pretty` forms (Today, Yesterday,
 * Tomorrow), {time}, {time_secs} and {ago}.
 */
export function formatSlackDate(epochMs: number, format: string, context: RenderContext): string {
  const zone = context.timeZone;
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone: zone, ...options }).format(epochMs);
  const relative = (plain: string) => {
    const days = dayNumber(epochMs, zone) - dayNumber(context.now, zone);
    return days === 0 ? 'Today' : days === -1 ? 'Yesterday' : days === 1 ? 'Tomorrow' : plain;
  };
  const dates = {
    date_num: new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(epochMs),
    date: part({ month: 'long', day: 'numeric', year: 'numeric' }),
    date_short: part({ month: 'short', day: 'numeric', year: 'numeric' }),
    date_long: part({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }),
  };
  const tokens: Record<string, () => string> = {
    ...Object.fromEntries(Object.entries(dates).map(([name, text]) => [name, () => text])),
    date_pretty: () => relative(dates.date),
    date_short_pretty: () => relative(dates.date_short),
    date_long_pretty: () => relative(dates.date_long),
    time: () => part({ hour: 'numeric', minute: '2-digit' }),
    time_secs: () => part({ hour: 'numeric', minute: '2-digit', second: '2-digit' }),
    ago: () => ago(context.now - epochMs),
  };
  return format.replace(/\{([a-z_]+)\}/g, (token, name: string) => tokens[name]?.() ?? token);
}

function dayNumber(epochMs: number, zone: string): number {
  const [year, month, day] = new Intl.DateTimeFormat('en-CA', { timeZone: zone })
    .format(epochMs)
    .split('-')
    .map(Number);
  return Math.floor(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1) / 86_400_000);
}

function ago(ms: number): string {
  const future = ms < 0;
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const text =
    minutes < 1
      ? 'a few seconds'
      : minutes < 60
        ? `${minutes} minute${minutes === 1 ? '' : 's'}`
        : minutes < 48 * 60
          ? `${Math.round(minutes / 60)} hours`
          : `${Math.round(minutes / 1440)} days`;
  return future ? `in ${text}` : `${text} ago`;
}
