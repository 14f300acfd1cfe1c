import type { BenchMode } from './bench-mode.js';
import type { BotProcess } from './bot-process.js';
import type { Output } from './figures.js';
import type { BenchRedis } from './redis-server.js';
import type { SlackInbox } from './slack-inbox.js';
import type { SlackSender } from './slack-sender.js';

/** What every phase of a run works with: the bot, its Slack, its Redis, and where figures go. */
export interface BenchContext {
  readonly mode: BenchMode;
  readonly out: Output;
  readonly bot: BotProcess;
  readonly inbox: SlackInbox;
  readonly sender: SlackSender;
  readonly redis: BenchRedis;
  readonly prefix: string;
  /** The bot's DATA_DIR (its embedded broker keeps its state under `broker/`). */
  readonly dataDir: string;
  /** Progress for the person watching (stderr): never a figure. */
  progress(line: string): void;
  /** A response_url id no other command or click uses. */
  nextResponseId(label: string): string;
}

export function responseIds(): (label: string) => string {
  let n = 0;
  return (label) => {
    n += 1;
    return `${label}-${n}`;
  };
}
