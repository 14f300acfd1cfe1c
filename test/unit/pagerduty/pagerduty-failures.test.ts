import { describe, expect, it } from 'vitest';
import { refused, spoken, unreachable } from '../../../src/pagerduty/pagerduty-failures.js';

describe('PagerDuty failure messages', () => {
  it('say a wait the way a person does', () => {
    expect(spoken(3_000)).toBe('3 s');
    expect(spoken(1_500)).toBe('1.5 s');
    expect(spoken(200)).toBe('200 ms');
  });

  it('name what PagerDuty refused, with its own words when they help', () => {
    expect(refused('GET /oncalls', 401, 'Authentication failed').message).toBe('PagerDuty refused the token (401)');
    expect(refused('GET /oncalls', 429, undefined).message).toBe('PagerDuty is rate limiting us (429)');
    expect(refused('GET /oncalls', 503, 'Service Unavailable').message).toBe(
      'PagerDuty failed with a server error (503)',
    );
    expect(refused('POST /incidents/P1/notes', 400, 'Invalid Input Provided; Requester User Not Found').message).toBe(
      'PagerDuty refused the request (400): Invalid Input Provided; Requester User Not Found',
    );
  });

  it("keep node-fetch's reason for a network failure, not its URL (which can hold an email)", () => {
    const cause = new Error(
      'request to http://pd.test/users?query=ann%40example.com failed, reason: getaddrinfo ENOTFOUND pd.test',
    );

    const error = unreachable('GET /users', cause);

    expect(error.message).toBe('PagerDuty could not be reached (getaddrinfo ENOTFOUND pd.test)');
    expect(error.cause).toBe(cause);
    expect(error.code).toBe('incidents_unavailable');
  });
});
