import { readFile } from 'node:fs/promises';
import { tally } from './answers.js';

/** One comment line about the bot's log (LOG_LEVEL=warn): how many warnings and errors, and the commonest. */
export async function summarizeBotLog(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const messages: string[] = [];
  let other = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      const level = entry.level === undefined ? '?' : entry.level >= 50 ? 'error' : entry.level >= 40 ? 'warn' : 'info';
      messages.push(`${level}: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message.slice(0, 80)})` : ''}`);
    } catch {
      other += 1;
    }
  }
  if (messages.length === 0 && other === 0) return 'bot log: empty at LOG_LEVEL=warn';
  const top = tally(messages).split('; ').slice(0, 4).join('; ');
  return `bot log: ${messages.length} entries at warn or above${other > 0 ? ` and ${other} other lines` : ''}${top ? `; most frequent: ${top}` : ''}`;
}
