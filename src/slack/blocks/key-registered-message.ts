import { code, escapeMrkdwn } from '../mrkdwn.js';
import { type SlackMessage, section } from './block-kit.js';

/** What `/jump key` registered, named the way `ssh-keygen -l` names a key, so people can compare. */
export interface RegisteredKeyFacts {
  readonly type: string;
  readonly bits?: number;
  readonly fingerprint: string;
}

/** The ephemeral confirmation of `/jump key`. */
export function keyRegisteredMessage(key: RegisteredKeyFacts): SlackMessage {
  const size = key.bits === undefined ? '' : ` (${key.bits} bits)`;
  const what = `${escapeMrkdwn(key.type)}${size} ${code(key.fingerprint)}`;
  return {
    text: `Your SSH public key is registered: ${what}`,
    blocks: [
      section(
        `:key: Your SSH public key is registered: ${what}.\n` +
          'Certificates you are granted from now on are issued for this key. Check it with ' +
          `${code('ssh-keygen -lf ~/.ssh/id_ed25519.pub')} (or your key's .pub file).`,
      ),
    ],
  };
}
