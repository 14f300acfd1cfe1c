import { describe, expect, it } from 'vitest';
import { connectionProcessTree, type ProcessInfo, parseStat } from '../../../src/broker/server/sshd-processes.js';

// Captured from this machine's /proc.
const CAT_STAT =
  '15930 (cat) R 15922 15922 7663 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 114602 3133440 386 18446744073709551615 93958824538112 93958824557993 140733235277872 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0';

describe('parseStat', () => {
  it('reads pid, parent, state and start time of a real stat line', () => {
    expect(parseStat(CAT_STAT)).toEqual({ pid: 15930, ppid: 15922, comm: 'cat', state: 'R', startTime: '114602' });
  });

  it('keeps a command name that holds spaces and parentheses', () => {
    expect(parseStat(CAT_STAT.replace('(cat)', '(my (odd) cmd)'))).toMatchObject({
      comm: 'my (odd) cmd',
      ppid: 15922,
      startTime: '114602',
    });
  });

  it('refuses a line it cannot read', () => {
    expect(parseStat('garbage')).toBeUndefined();
    expect(parseStat('1 (x) S 0')).toBeUndefined();
  });
});

describe('connectionProcessTree', () => {
  const table = new Map<number, ProcessInfo>(
    [
      [1, 0, 'init'],
      [10, 1, 'sshd'],
      [20, 10, 'sshd'],
      [21, 20, 'sshd'],
      [22, 21, 'bash'],
      [23, 22, 'sleep'],
      [24, 22, 'vim'],
      [30, 10, 'sshd'],
      [31, 30, 'sleep'],
      [40, 1, 'sshd'],
      [41, 40, 'bash'],
      [50, 10, 'cron'],
      [51, 50, 'sshd'],
    ].map(([pid, ppid, comm]) => [
      pid as number,
      { pid: pid as number, ppid: ppid as number, comm: comm as string, state: 'S', startTime: '1' },
    ]),
  );

  it('climbs to the privileged sshd monitor and takes everything below it', () => {
    expect(connectionProcessTree(table, [21], new Set([10])).sort()).toEqual([20, 21, 22, 23, 24]);
  });

  it('never climbs into or descends through a spared process', () => {
    expect(connectionProcessTree(table, [21], new Set([10, 22])).sort()).toEqual([20, 21]);
  });

  it('stops below pid 1 (an sshd -i started per connection by systemd socket activation)', () => {
    expect(connectionProcessTree(table, [40], new Set()).sort()).toEqual([40, 41]);
  });

  it('climbs only through sshd processes', () => {
    expect(connectionProcessTree(table, [51], new Set([10]))).toEqual([51]);
  });
});
