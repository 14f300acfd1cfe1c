import { describe, expect, it } from 'vitest';
import { failureText, withoutInternals } from '../../../src/slack/public-text.js';

describe('withoutInternals', () => {
  it.each([
    ['the broker at http://10.0.0.7:8600/jg did not answer', 'the broker at an internal address did not answer'],
    ['fetch failed: connect ECONNREFUSED 127.0.0.1:8600', 'fetch failed: connect ECONNREFUSED an internal address'],
    ['connect ECONNREFUSED [::1]:8600', 'connect ECONNREFUSED an internal address'],
    ['could not write /var/lib/jumpgate/krl.bin', 'could not write a file on the server'],
    ['Error: boom\n    at issue (/app/src/broker/client.ts:40:11)', 'Error: boom'],
    ['redis://:hunter2@redis.internal:6379 refused', 'an internal address refused'],
  ])('%j → %j', (text, shown) => {
    expect(withoutInternals(text)).toBe(shown);
  });

  it('keeps what a person needs: commands, durations, ids', () => {
    const text = 'use /jump list; 1h/2h is not a duration; grant_abc is not active';
    expect(withoutInternals(text)).toBe(text);
  });
});

describe('failureText', () => {
  it('says the broker did not issue the certificate when there is nothing else to say', () => {
    expect(failureText(undefined)).toBe('the broker did not issue the certificate');
    expect(failureText({ code: 'broker_unavailable', message: 'http://10.0.0.7:8600' })).toBe('an internal address');
  });
});
