import { describe, expect, it } from 'vitest';
import { canonicalAddress, parseTcpTable, sameEndpoint, TCP_LISTEN } from '../../../src/broker/server/sshd-proc-net.js';

// Rows captured from this machine (x86-64, little-endian) while an ssh client on port 47944 was
// logged in to an sshd on 127.0.0.1:22022: the listener, the server's end, the client's end.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   6: 0100007F:5606 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18573 1 00000000ad22a6e3 100 0 0 10 0
  12: 0100007F:5606 0100007F:BB48 01 00000000:00000000 02:000AF7F1 00000000     0        0 19096 2 000000008805a067 20 4 12 18 -1
  15: 0100007F:BB48 0100007F:5606 01 00000000:00000000 02:000AF7F0 00000000     0        0 19095 2 00000000a25590ec 21 4 17 18 -1
`;
// A listener on [::1]:4369 (captured), and an IPv4 client reaching a dual-stack listener,
// which the kernel shows as an IPv4-mapped address.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1111 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 6581 1 00000000e1f4925b 100 0 0 10 0
   1: 0000000000000000FFFF00000500000A:0016 0000000000000000FFFF00000700000A:C350 01 00000000:00000000 00:00000000 00000000     0        0 7001 1 0000000000000000 20 4 30 10 -1
`;

describe('parseTcpTable', () => {
  it('decodes addresses, ports, states and inodes of IPv4 rows', () => {
    expect(parseTcpTable(TCP, true)).toEqual([
      {
        local: { address: '127.0.0.1', port: 22022 },
        remote: { address: '0.0.0.0', port: 0 },
        state: TCP_LISTEN,
        inode: 18573,
      },
      {
        local: { address: '127.0.0.1', port: 22022 },
        remote: { address: '127.0.0.1', port: 47944 },
        state: 1,
        inode: 19096,
      },
      {
        local: { address: '127.0.0.1', port: 47944 },
        remote: { address: '127.0.0.1', port: 22022 },
        state: 1,
        inode: 19095,
      },
    ]);
  });

  it('decodes IPv6 rows, and IPv4-mapped addresses as the IPv4 sshd logs', () => {
    const [listener, mapped] = parseTcpTable(TCP6, true);
    expect(listener).toMatchObject({ local: { address: canonicalAddress('::1'), port: 4369 }, state: TCP_LISTEN });
    expect(mapped).toMatchObject({
      local: { address: '10.0.0.5', port: 22 },
      remote: { address: '10.0.0.7', port: 50000 },
      inode: 7001,
    });
  });

  it('reads the words in network order on a big-endian machine', () => {
    const [row] = parseTcpTable('   0: 7F000001:0016 0A000007:C350 01 0:0 0:0 0 0 0 42 1\n', false);
    expect(row).toMatchObject({
      local: { address: '127.0.0.1', port: 22 },
      remote: { address: '10.0.0.7', port: 50000 },
      inode: 42,
    });
  });

  it('skips the header and rows it cannot read', () => {
    expect(parseTcpTable('  sl  local_address rem_address   st\n   1: nonsense\n\n', true)).toEqual([]);
  });
});

describe('canonicalAddress', () => {
  it.each([
    ['::1', '0000:0000:0000:0000:0000:0000:0000:0001'],
    ['2001:DB8::7', '2001:0db8:0000:0000:0000:0000:0000:0007'],
    ['fe80::1%eth0', 'fe80:0000:0000:0000:0000:0000:0000:0001'],
    ['::ffff:10.0.0.7', '10.0.0.7'],
    ['::ffff:a00:7', '10.0.0.7'],
    ['10.0.0.7', '10.0.0.7'],
  ])('spells %s as %s', (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });

  it('leaves text that is no address as it is, so it matches nothing', () => {
    expect(canonicalAddress('1::2::3')).toBe('1::2::3');
  });
});

describe('sameEndpoint', () => {
  it('compares the log spelling of a client with the kernel spelling', () => {
    expect(sameEndpoint({ address: '2001:db8::7', port: 22 }, { address: '2001:0db8:0:0:0:0:0:7', port: 22 })).toBe(
      true,
    );
    expect(sameEndpoint({ address: '10.0.0.7', port: 22 }, { address: '10.0.0.7', port: 23 })).toBe(false);
  });
});
