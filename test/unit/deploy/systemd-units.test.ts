import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * deploy/systemd/: each unit passes `systemd-analyze verify` (Debian's systemd package) where the
 * binary exists, with no warning about the unit (verify exits 0 on an unknown key, so its output
 * counts too); and everywhere, the settings an operator relies on are there.
 */
const DIR = path.resolve('deploy/systemd');
const run = promisify(execFile);
const hasAnalyze = await run('systemd-analyze', ['--version']).then(
  () => true,
  () => false,
);

async function unit(name: string): Promise<string> {
  return readFile(path.join(DIR, name), 'utf8');
}

describe('systemd units', () => {
  it
    .runIf(hasAnalyze)
    .each([
      ['jumpgate.service'],
      ['jumpgate-broker.service'],
      ['jumpgate-krl-fetch.service', 'jumpgate-krl-fetch.timer'],
    ])('%s passes systemd-analyze verify', async (...names: string[]) => {
    const files = names.map((name) => path.join(DIR, name));
    const { stdout, stderr } = await run('systemd-analyze', ['verify', ...files]);
    const about = `${stdout}${stderr}`.split('\n').filter((line) => names.some((name) => line.includes(name)));
    expect(about).toEqual([]);
  });

  it('the bot runs as its own user, hardened, restarted on failure, with time to stop cleanly', async () => {
    const text = await unit('jumpgate.service');
    for (const line of [
      'User=jumpgate',
      'EnvironmentFile=/etc/jumpgate/jumpgate.env',
      'ExecStart=/usr/bin/node --import tsx src/main.ts',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/jumpgate /var/log/jumpgate',
      'Restart=on-failure',
      'KillSignal=SIGTERM',
    ])
      expect(text).toContain(`\n${line}\n`);
    // Above the bot's own shutdown bound (about 10 s: seal, drain messages, close).
    const stop = /\nTimeoutStopSec=(\d+)s\n/.exec(text);
    expect(Number(stop?.[1])).toBeGreaterThan(10);
  });

  it('the broker runs npm run broker; the timer fetches the KRL with the shipped script', async () => {
    expect(await unit('jumpgate-broker.service')).toContain('\nExecStart=/usr/bin/npm run --silent broker\n');
    expect(await unit('jumpgate-krl-fetch.service')).toContain(
      '\nExecStart=/bin/sh /usr/local/sbin/jumpgate-krl-fetch\n',
    );
    expect(await unit('jumpgate-krl-fetch.timer')).toContain('\nOnUnitActiveSec=30s\n');
  });
});
