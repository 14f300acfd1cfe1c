import { describe, expect, it } from 'vitest';
import { describeValue, isAddressOrCidr } from '../../../src/policy/fields.js';

describe('isAddressOrCidr', () => {
  it.each(['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '192.0.2.7/32', '2001:db8::1', '2001:db8::/32', '::/0', '::1/128'])(
    'accepts %s',
    (text) => {
      expect(isAddressOrCidr(text)).toBe(true);
    },
  );

  it.each([
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '10.0.0.0/-1',
    '10.0.0.0/08a',
    '10.0.0',
    'fe80::1%eth0',
    'bastion.internal',
    '10.0.0.0/8,10.1.0.0/16',
    '',
  ])('refuses %j', (text) => {
    expect(isAddressOrCidr(text)).toBe(false);
  });
});

describe('describeValue', () => {
  it('shows a YAML value the way a policy author wrote it', () => {
    expect(describeValue('db-1')).toBe('"db-1"');
    expect(describeValue(30)).toBe('30');
    expect(describeValue(false)).toBe('false');
    expect(describeValue(null)).toBe('an empty value');
    expect(describeValue(['a'])).toBe('a list');
    expect(describeValue({ a: 1 })).toBe('a mapping');
    expect(describeValue('x'.repeat(80))).toBe(`"${'x'.repeat(57)}..."`);
  });
});
