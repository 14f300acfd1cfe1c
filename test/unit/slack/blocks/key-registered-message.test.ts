import { describe, expect, it } from 'vitest';
import { keyRegisteredMessage } from '../../../../src/slack/blocks/key-registered-message.js';
import { textsOf } from '../../../support/slack-builders.js';

describe('keyRegisteredMessage', () => {
  it('names the key as ssh-keygen -l does, so it can be compared', () => {
    const message = keyRegisteredMessage({ type: 'ssh-ed25519', bits: 256, fingerprint: 'SHA256:abc+/def' });
    expect(message.text).toBe('Your SSH public key is registered: ssh-ed25519 (256 bits) `SHA256:abc+/def`');
    expect(textsOf(message.blocks)[0]).toBe(
      ':key: Your SSH public key is registered: ssh-ed25519 (256 bits) `SHA256:abc+/def`.\n' +
        "Certificates you are granted from now on are issued for this key. Check it with `ssh-keygen -lf ~/.ssh/id_ed25519.pub` (or your key's .pub file).",
    );
  });

  it('leaves the size out when it is not known', () => {
    expect(keyRegisteredMessage({ type: 'ssh-ed25519', fingerprint: 'SHA256:x' }).text).toBe(
      'Your SSH public key is registered: ssh-ed25519 `SHA256:x`',
    );
  });
});
