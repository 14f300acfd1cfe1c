import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { isSentinelUrl, type RedisHa, redisFields, redisHa } from './config-redis.js';
import { DURATION_HELP, isDuration, parseDuration } from './domain/duration.js';
import { JumpgateError } from './domain/errors.js';
import { describeTopology, type RedisTopology } from './store/redis-topology.js';

/**
 * The environment table of the README (Configuration), validated. A bad value stops start-up with one line per
 * problem naming the variable and the fix; secrets never appear in messages or logs.
 */
export type SlackMode =
  | { readonly kind: 'http'; readonly botToken: string; readonly signingSecret: string }
  | { readonly kind: 'socket'; readonly botToken: string; readonly appToken: string; readonly signingSecret?: string }
  /** No Slack variable at all: the local workspace (a loopback web page standing in for Slack). */
  | { readonly kind: 'local' };

export interface Config {
  readonly slack: SlackMode;
  readonly slackApiUrl: string;
  readonly port: number;
  /** Listen address of the HTTP listener: HOST, else 0.0.0.0 in HTTP mode (Slack must reach it), else 127.0.0.1. */
  readonly host: string;
  /** Undefined: Jumpgate's own redis-server on a unix socket under dataDir (never a TCP port). */
  readonly redisUrl?: string;
  /** Sentinel or Cluster (REDIS_SENTINELS, a redis+sentinel:// REDIS_URL, REDIS_CLUSTER_NODES); redisUrl is then unset. */
  readonly redisTopology?: RedisTopology;
  /** REDIS_WAIT_REPLICAS: each write waits (at most timeoutMs) until this many replicas have it. */
  readonly redisWait?: RedisHa['waitReplicas'];
  readonly prefix: string;
  readonly workflowsDir: string;
  readonly pagerduty?: { readonly token: string; readonly apiUrl: string; readonly from?: string };
  readonly brokerUrl?: string;
  /** Private JWK (JSON text); undefined: generated once and kept under dataDir. */
  readonly signingKeyJwk?: string;
  readonly dataDir: string;
  readonly auditLogFile?: string;
  /** RETENTION_DAYS: finished requests and audit records older than this leave Redis once archived. */
  readonly retentionDays: number;
  /** JUMPGATE_ADMIN_CHANNEL: where policy reload errors and policy warnings are posted; unset = logged only. */
  readonly adminChannel?: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SLACK_OUTBOX_MAX_AGE: how long a Slack message that is not taken is retried before it gives up (default 24h). */
  readonly slackOutboxMaxAgeMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A Slack message is retried for a day: longer than any Slack outage, short enough to be news when it arrives. */
export const DEFAULT_OUTBOX_MAX_AGE_MS = 24 * 3_600_000;

const SLACK_VARS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const;

const httpUrl = (fix: string) =>
  z.string().refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, fix);

/** 127.0.0.0/8, ::1 and localhost: the only hosts plain http:// may reach, since nothing else on the way can read it. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** https://, or http:// to this machine: the broker's answers carry certificates, its calls carry grants. */
function secureOrLoopback(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || isLoopbackHost(url.hostname);
  } catch {
    return true; // the URL check above names the problem
  }
}

/** Each field: a schema whose failure message is the fix a person reads. */
const fields = {
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-[A-Za-z0-9-]+$/, 'is not a bot token (it starts with xoxb-; copy it from OAuth & Permissions)'),
  SLACK_SIGNING_SECRET: z
    .string()
    .regex(/^[a-f0-9]{16,}$/i, 'is not a signing secret (copy it from Basic Information → App Credentials)'),
  SLACK_APP_TOKEN: z
    .string()
    .regex(
      /^xapp-[A-Za-z0-9-]+$/,
      'is not an app-level token (it starts with xapp-; create one with the connections:write scope)',
    ),
  SLACK_API_URL: httpUrl('is not an http(s) URL (default https://slack.com/api/)'),
  HOST: z
    .string()
    .refine(
      (value) => isIP(value) !== 0,
      'is not an IP address to listen on (use 0.0.0.0 for every interface, 127.0.0.1 for this machine only)',
    ),
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'is not a port number (use an integer from 0 to 65535)')
    .transform(Number)
    .refine((port) => port <= 65_535, 'is not a port number (use an integer from 0 to 65535)'),
  REDIS_URL: z.string().refine((value) => {
    try {
      // A redis+sentinel:// URL is no WHATWG URL (several hosts): config-redis.ts reads it.
      return isSentinelUrl(value) || ['redis:', 'rediss:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'is not a Redis URL (use redis://host:6379, rediss://user:password@host:6380/0 or redis+sentinel://host:26379,host:26379/mymaster)'),
  JUMPGATE_PREFIX: z.string().regex(
    // Plain, or with one {hash tag} (a Redis Cluster keeps every key of the prefix in one slot).
    /^(?=.{1,64}$)(?:[A-Za-z0-9][A-Za-z0-9_.-]*|[A-Za-z0-9_.-]*\{[A-Za-z0-9_.-]+\}[A-Za-z0-9_.-]*)$/,
    'is not a valid prefix (letters, digits, _ . -, optionally one {hash tag}; at most 64 characters)',
  ),
  WORKFLOWS_DIR: z.string().min(1, 'is empty (give the folder of workflow YAML files)'),
  PAGERDUTY_TOKEN: z.string().regex(/^\S{8,}$/, 'is not a PagerDuty REST API token'),
  PAGERDUTY_API_URL: httpUrl('is not an http(s) URL (default https://api.pagerduty.com)'),
  PAGERDUTY_FROM: z.email('is not an email address (PagerDuty needs the email of a PagerDuty user as From)'),
  BROKER_URL: httpUrl('is not an http(s) URL of an access broker (leave it unset for the embedded broker)').refine(
    secureOrLoopback,
    'uses http:// to another host (use https://, or http:// only on loopback)',
  ),
  JUMPGATE_SIGNING_KEY: z.string().refine((value) => {
    try {
      const jwk: unknown = JSON.parse(value);
      return typeof jwk === 'object' && jwk !== null && 'd' in jwk;
    } catch {
      return false;
    }
  }, 'is not a private JWK in JSON (an Ed25519 or P-256 key with its "d"; leave it unset to generate one)'),
  DATA_DIR: z.string().min(1, 'is empty (give a folder for local state, default ./data)'),
  AUDIT_LOG_FILE: z.string().min(1, 'is empty (give a file path, or unset it)'),
  RETENTION_DAYS: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, 'is not a positive whole number of days (default 400)')
    .transform(Number),
  JUMPGATE_ADMIN_CHANNEL: z
    .string()
    .regex(/^[CG][A-Z0-9]{2,}$/, 'is not a Slack channel ID (like C0123ADMIN: open the channel details, copy its ID)'),
  SLACK_OUTBOX_MAX_AGE: z
    .string()
    .refine(isDuration, `is not a duration (${DURATION_HELP}; default 24h)`)
    .transform((value) => parseDuration(value)),
  LOG_LEVEL: z.enum(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'is not a log level (use fatal, error, warn, info, debug, trace or silent)',
  ),
  ...redisFields,
} as const;

type Field = keyof typeof fields;
type Parsed = { [K in Field]?: z.output<(typeof fields)[K]> };

/** Reads and validates the environment; throws JumpgateError('config_invalid') listing every problem, one per line. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const values: Parsed = {};
  for (const name of Object.keys(fields) as Field[]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const result = fields[name].safeParse(raw);
    if (result.success) (values as Record<Field, unknown>)[name] = result.data;
    else problems.push(`${name} ${result.error.issues[0]?.message ?? 'is invalid'}`);
  }

  const slack = slackMode(env, values, problems);
  if (values.PAGERDUTY_FROM && !values.PAGERDUTY_TOKEN && !problems.some((p) => p.startsWith('PAGERDUTY_TOKEN'))) {
    problems.push(
      'PAGERDUTY_FROM is set but PAGERDUTY_TOKEN is not (set PAGERDUTY_TOKEN to turn incident checks on, or unset PAGERDUTY_FROM)',
    );
  }
  if (slack?.kind === 'local' && values.HOST !== undefined && !isLoopbackHost(values.HOST)) {
    problems.push(
      'HOST must be a loopback address for the local workspace (no Slack variable is set, and the page acts as anyone in it): unset HOST or use 127.0.0.1',
    );
  }
  const ha = redisHa(env, values, values.REDIS_URL, values.JUMPGATE_PREFIX, problems);
  if (problems.length > 0 || !slack) {
    throw new JumpgateError('config_invalid', problems.join('\n'), { details: { problems } });
  }

  const dataDir = path.resolve(values.DATA_DIR ?? './data');
  return {
    slack,
    slackApiUrl: withTrailingSlash(values.SLACK_API_URL ?? 'https://slack.com/api/'),
    port: values.PORT ?? 3000,
    // Only HTTP mode needs an inbound connection (Slack posts to /slack/events); otherwise stay on loopback.
    host: values.HOST ?? (slack.kind === 'http' ? '0.0.0.0' : '127.0.0.1'),
    redisUrl: ha.topology ? undefined : values.REDIS_URL,
    ...(ha.topology ? { redisTopology: ha.topology } : {}),
    ...(ha.waitReplicas ? { redisWait: ha.waitReplicas } : {}),
    prefix: values.JUMPGATE_PREFIX ?? ha.defaultPrefix,
    workflowsDir: values.WORKFLOWS_DIR ?? './workflows',
    pagerduty: values.PAGERDUTY_TOKEN
      ? {
          token: values.PAGERDUTY_TOKEN,
          apiUrl: (values.PAGERDUTY_API_URL ?? 'https://api.pagerduty.com').replace(/\/+$/, ''),
          from: values.PAGERDUTY_FROM,
        }
      : undefined,
    brokerUrl: values.BROKER_URL,
    signingKeyJwk: values.JUMPGATE_SIGNING_KEY,
    dataDir,
    auditLogFile: values.AUDIT_LOG_FILE ? path.resolve(values.AUDIT_LOG_FILE) : undefined,
    retentionDays: values.RETENTION_DAYS ?? 400,
    adminChannel: values.JUMPGATE_ADMIN_CHANNEL,
    logLevel: values.LOG_LEVEL ?? 'info',
    slackOutboxMaxAgeMs: values.SLACK_OUTBOX_MAX_AGE ?? DEFAULT_OUTBOX_MAX_AGE_MS,
  };
}

/** Partial Slack settings are an error, never a fallback to another mode. */
function slackMode(env: Env, values: Parsed, problems: string[]): SlackMode | undefined {
  const present = SLACK_VARS.filter((name) => env[name] !== undefined && env[name] !== '');
  if (present.length === 0) return { kind: 'local' };
  if (present.some((name) => problems.some((p) => p.startsWith(`${name} `)))) return undefined;
  const botToken = values.SLACK_BOT_TOKEN;
  if (!botToken) {
    problems.push(
      `SLACK_BOT_TOKEN is required when ${present.join(' and ')} ${present.length > 1 ? 'are' : 'is'} set (copy the Bot User OAuth Token, xoxb-…, from OAuth & Permissions)`,
    );
    return undefined;
  }
  if (values.SLACK_APP_TOKEN) {
    return { kind: 'socket', botToken, appToken: values.SLACK_APP_TOKEN, signingSecret: values.SLACK_SIGNING_SECRET };
  }
  if (!values.SLACK_SIGNING_SECRET) {
    problems.push(
      'SLACK_SIGNING_SECRET is required in HTTP mode (copy it from Basic Information → App Credentials, or set SLACK_APP_TOKEN for Socket Mode)',
    );
    return undefined;
  }
  return { kind: 'http', botToken, signingSecret: values.SLACK_SIGNING_SECRET };
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** What start-up logs about its configuration: every setting, no secret. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    slack: config.slack.kind,
    slackApiUrl: config.slackApiUrl,
    port: config.port,
    host: config.host,
    redis: config.redisTopology
      ? describeTopology(config.redisTopology)
      : config.redisUrl
        ? redactUrl(config.redisUrl)
        : 'local redis-server on a unix socket under DATA_DIR',
    ...(config.redisWait ? { redisWait: config.redisWait } : {}),
    prefix: config.prefix,
    workflowsDir: config.workflowsDir,
    pagerduty: config.pagerduty ? { apiUrl: config.pagerduty.apiUrl, from: config.pagerduty.from } : 'off',
    broker: config.brokerUrl ?? 'embedded',
    signingKey: config.signingKeyJwk ? 'from JUMPGATE_SIGNING_KEY' : 'kept under DATA_DIR',
    dataDir: config.dataDir,
    auditLogFile: config.auditLogFile ?? 'off',
    retention: config.auditLogFile ? `${config.retentionDays} days` : 'off (needs AUDIT_LOG_FILE)',
    adminChannel: config.adminChannel ?? 'off',
    slackOutboxMaxAgeMs: config.slackOutboxMaxAgeMs,
  };
}

function redactUrl(value: string): string {
  const url = new URL(value);
  if (url.password) url.password = '***';
  return url.toString();
}
