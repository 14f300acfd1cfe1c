import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from '../../src/config.js';
import { JumpgateError } from '../../src/domain/errors.js';

const BOT = 'xoxb-1234-5678-abcdef';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'.replace(/[yz]/g, 'a');
const APP = 'xapp-1-A0-123-abc';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(JumpgateError);
    expect((error as JumpgateError).code).toBe('config_invalid');
    return (error as JumpgateError).message.split('\n');
  }
  throw new Error('expected loadConfig to refuse the environment');
}

describe('loadConfig defaults', () => {
  it('with nothing set chooses the local workspace and the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      slack: { kind: 'local' },
      slackApiUrl: 'https://slack.com/api/',
      port: 3000,
      host: '127.0.0.1',
      redisUrl: undefined,
      prefix: 'jumpgate',
      workflowsDir: './workflows',
      pagerduty: undefined,
      brokerUrl: undefined,
      signingKeyJwk: undefined,
      dataDir: path.resolve('./data'),
      auditLogFile: undefined,
      retentionDays: 400,
      logLevel: 'info',
    });
  });

  it('takes RETENTION_DAYS as a positive whole number of days, and refuses anything else in one line', () => {
    expect(loadConfig({ RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    for (const bad of ['0', '-5', '1.5', 'forever', '400d']) {
      expect(problemsOf({ RETENTION_DAYS: bad })).toEqual([
        'RETENTION_DAYS is not a positive whole number of days (default 400)',
      ]);
    }
  });

  it('keeps the local workspace on loopback: a HOST another machine can reach is refused', () => {
    expect(problemsOf({ HOST: '0.0.0.0' })).toEqual([
      'HOST must be a loopback address for the local workspace (no Slack variable is set, and the page acts as anyone in it): unset HOST or use 127.0.0.1',
    ]);
    expect(loadConfig({ HOST: '127.0.0.2' }).host).toBe('127.0.0.2');
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET, HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).port).toBe(3000);
  });
});

describe('loadConfig Slack modes', () => {
  it('uses HTTP mode with a bot token and a signing secret', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET }).slack).toEqual({
      kind: 'http',
      botToken: BOT,
      signingSecret: SECRET,
    });
  });

  it('uses Socket Mode when an app token is set', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }).slack).toMatchObject({
      kind: 'socket',
      appToken: APP,
    });
  });

  it('refuses a signing secret without a bot token instead of falling back', () => {
    expect(problemsOf({ SLACK_SIGNING_SECRET: SECRET })).toEqual([
      'SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET is set (copy the Bot User OAuth Token, xoxb-…, from OAuth & Permissions)',
    ]);
  });

  it('refuses an app token without a bot token', () => {
    expect(problemsOf({ SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SECRET })).toEqual([
      'SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET and SLACK_APP_TOKEN are set (copy the Bot User OAuth Token, xoxb-…, from OAuth & Permissions)',
    ]);
  });

  it('refuses HTTP mode without a signing secret', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: BOT })).toEqual([
      'SLACK_SIGNING_SECRET is required in HTTP mode (copy it from Basic Information → App Credentials, or set SLACK_APP_TOKEN for Socket Mode)',
    ]);
  });

  it.each([
    [
      { SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: SECRET },
      'SLACK_BOT_TOKEN is not a bot token (it starts with xoxb-; copy it from OAuth & Permissions)',
    ],
    [
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 'short' },
      'SLACK_SIGNING_SECRET is not a signing secret (copy it from Basic Information → App Credentials)',
    ],
    [
      { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: 'xoxb-wrong' },
      'SLACK_APP_TOKEN is not an app-level token (it starts with xapp-; create one with the connections:write scope)',
    ],
  ])('names the malformed Slack variable and the fix: %j', (env, line) => {
    expect(problemsOf(env)).toEqual([line]);
  });

  it('never puts a secret value into a message', () => {
    const lines = problemsOf({ SLACK_BOT_TOKEN: 'xoxb-has a space-SECRETVALUE', SLACK_SIGNING_SECRET: SECRET });
    expect(lines.join('\n')).not.toContain('SECRETVALUE');
  });
});

describe('loadConfig values', () => {
  it.each([
    ['PORT', 'abc', 'PORT is not a port number (use an integer from 0 to 65535)'],
    ['PORT', '70000', 'PORT is not a port number (use an integer from 0 to 65535)'],
    [
      'REDIS_URL',
      'localhost:6379',
      'REDIS_URL is not a Redis URL (use redis://host:6379, rediss://user:password@host:6380/0 or redis+sentinel://host:26379,host:26379/mymaster)',
    ],
    [
      'JUMPGATE_PREFIX',
      'has space',
      'JUMPGATE_PREFIX is not a valid prefix (letters, digits, _ . -, optionally one {hash tag}; at most 64 characters)',
    ],
    ['SLACK_API_URL', 'ftp://x', 'SLACK_API_URL is not an http(s) URL (default https://slack.com/api/)'],
    ['PAGERDUTY_API_URL', 'nope', 'PAGERDUTY_API_URL is not an http(s) URL (default https://api.pagerduty.com)'],
    [
      'BROKER_URL',
      'bastion:8600',
      'BROKER_URL is not an http(s) URL of an access broker (leave it unset for the embedded broker)',
    ],
    [
      'JUMPGATE_SIGNING_KEY',
      '{"kty":"OKP","crv":"Ed25519","x":"abc"}',
      'JUMPGATE_SIGNING_KEY is not a private JWK in JSON (an Ed25519 or P-256 key with its "d"; leave it unset to generate one)',
    ],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL is not a log level (use fatal, error, warn, info, debug, trace or silent)'],
  ])('%s=%j is refused with the fix', (name, value, line) => {
    expect(problemsOf({ [name]: value })).toEqual([line]);
  });

  it('lists every problem, one line each', () => {
    expect(problemsOf({ PORT: 'x', REDIS_URL: 'y' })).toHaveLength(2);
  });

  it('requires PAGERDUTY_TOKEN when PAGERDUTY_FROM is set', () => {
    expect(problemsOf({ PAGERDUTY_FROM: 'oncall@example.com' })).toEqual([
      'PAGERDUTY_FROM is set but PAGERDUTY_TOKEN is not (set PAGERDUTY_TOKEN to turn incident checks on, or unset PAGERDUTY_FROM)',
    ]);
  });

  it('turns incident checks on with a token and normalizes URLs', () => {
    const config = loadConfig({
      PAGERDUTY_TOKEN: 'u+abcdefgh',
      PAGERDUTY_API_URL: 'http://127.0.0.1:9/',
      SLACK_API_URL: 'http://127.0.0.1:8/api',
      PORT: '0',
    });
    expect(config.pagerduty).toEqual({ token: 'u+abcdefgh', apiUrl: 'http://127.0.0.1:9', from: undefined });
    expect(config.slackApiUrl).toBe('http://127.0.0.1:8/api/');
    expect(config.port).toBe(0);
  });
});

describe('loadConfig HOST', () => {
  it('listens on every interface in HTTP mode (Slack posts to /slack/events) and on loopback otherwise', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SECRET }).host).toBe('0.0.0.0');
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP }).host).toBe('127.0.0.1');
    expect(loadConfig({}).host).toBe('127.0.0.1');
  });

  it('takes HOST as given, and refuses what is not an address', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, HOST: '10.0.0.7' }).host).toBe('10.0.0.7');
    expect(loadConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, HOST: '::' }).host).toBe('::');
    expect(problemsOf({ HOST: 'bastion.internal' })).toEqual([
      'HOST is not an IP address to listen on (use 0.0.0.0 for every interface, 127.0.0.1 for this machine only)',
    ]);
  });
});

describe('loadConfig BROKER_URL', () => {
  it.each([
    'https://broker.internal:8600',
    'http://127.0.0.1:8600',
    'http://127.9.8.7',
    'http://localhost:8600/jg',
    'http://[::1]:8600',
  ])('accepts %s', (url) => {
    expect(loadConfig({ BROKER_URL: url }).brokerUrl).toBe(url);
  });

  it.each(['http://broker.internal:8600', 'http://10.0.0.5:8600', 'http://128.0.0.1', 'http://localhost.evil.example'])(
    'refuses plain http to another host: %s',
    (url) => {
      expect(problemsOf({ BROKER_URL: url })).toEqual([
        'BROKER_URL uses http:// to another host (use https://, or http:// only on loopback)',
      ]);
    },
  );
});

describe('loadConfig REDIS_URL', () => {
  it.each([
    'redis://:hunter2@redis.internal:6379',
    'redis://jumpgate:hunter2@redis.internal:6379/1',
    'rediss://default:pw@redis.example.com:6380',
  ])('accepts a password and TLS: %s', (url) => {
    expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
  });
});

describe('describeConfig', () => {
  it('shows every setting but no token, secret or password', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: BOT,
      SLACK_SIGNING_SECRET: SECRET,
      REDIS_URL: 'redis://user:hunter2@redis.internal:6379/0',
      PAGERDUTY_TOKEN: 'pd-token-value',
      JUMPGATE_SIGNING_KEY: '{"kty":"OKP","crv":"Ed25519","x":"abc","d":"private-part"}',
    });
    const text = JSON.stringify(describeConfig(config));
    for (const secret of [BOT, SECRET, 'hunter2', 'pd-token-value', 'private-part']) expect(text).not.toContain(secret);
    expect(text).toContain('redis.internal');
  });
});

describe('JUMPGATE_ADMIN_CHANNEL', () => {
  it('is where reload errors go when set, and off when unset', () => {
    expect(loadConfig({ JUMPGATE_ADMIN_CHANNEL: 'C0ADMIN' }).adminChannel).toBe('C0ADMIN');
    expect(loadConfig({}).adminChannel).toBeUndefined();
    expect(describeConfig(loadConfig({})).adminChannel).toBe('off');
  });

  it('refuses a channel name instead of its ID, saying how to find the ID', () => {
    expect(problemsOf({ JUMPGATE_ADMIN_CHANNEL: '#ops' })).toEqual([
      'JUMPGATE_ADMIN_CHANNEL is not a Slack channel ID (like C0123ADMIN: open the channel details, copy its ID)',
    ]);
  });
});

describe('SLACK_OUTBOX_MAX_AGE', () => {
  it('is a duration, 24h by default', () => {
    expect(loadConfig({}).slackOutboxMaxAgeMs).toBe(24 * 3_600_000);
    expect(loadConfig({ SLACK_OUTBOX_MAX_AGE: '6h' }).slackOutboxMaxAgeMs).toBe(6 * 3_600_000);
    expect(loadConfig({ SLACK_OUTBOX_MAX_AGE: '1d' }).slackOutboxMaxAgeMs).toBe(86_400_000);
    expect(describeConfig(loadConfig({ SLACK_OUTBOX_MAX_AGE: '90s' })).slackOutboxMaxAgeMs).toBe(90_000);
  });

  it('refuses what is not a duration, saying what is', () => {
    expect(problemsOf({ SLACK_OUTBOX_MAX_AGE: '24 hours' })).toEqual([
      'SLACK_OUTBOX_MAX_AGE is not a duration (use 90s, 30m, 2h, 1h30m, 1d; default 24h)',
    ]);
  });
});
