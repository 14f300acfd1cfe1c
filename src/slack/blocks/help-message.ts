import { code } from '../mrkdwn.js';
import { SUBCOMMANDS, type Subcommand, USAGE } from '../parse-command.js';
import { context, type SlackMessage, section } from './block-kit.js';

const WHAT: Readonly<Record<Subcommand, string>> = {
  request: 'ask for time-bound access to a target; with nothing after it, a form opens',
  breakglass: 'emergency access, granted at once where the workflow allows it and reviewed afterwards',
  vendor: 'a time-bound session for a vendor you sponsor',
  key: 'register your SSH public key (the one line of ~/.ssh/id_ed25519.pub); certificates are issued for it',
  list: 'your pending requests and active grants',
  extend: 'more time on an active grant',
  revoke: 'end a grant early',
  targets: 'what you may request, and its limits',
  help: 'this message',
};

/**
 * `/jump help` (and `/jump` alone). `available` leaves out subcommands this deployment does not
 * offer, so help never advertises what would then be refused.
 */
export function helpMessage(available: readonly Subcommand[] = SUBCOMMANDS): SlackMessage {
  const lines = SUBCOMMANDS.filter((name) => available.includes(name)).map(
    (name) => `${code(USAGE[name])} — ${WHAT[name]}`,
  );
  return {
    text: 'Jumpgate: time-bound access to jump servers. /jump request <target> [<duration>] [<reason…>] to start.',
    blocks: [
      section(
        '*Jumpgate* gives you time-bound access to jump servers: ask, get approved, receive an SSH certificate that ends by itself.',
      ),
      section(lines.join('\n')),
      context(
        `Durations: ${code('90s')}, ${code('30m')}, ${code('2h')}, ${code('1h30m')}, ${code('1d')} (the target's default when left out). ` +
          `Example: ${code('/jump request prod-db 30m fix replication INC-42')}`,
      ),
    ],
  };
}
