import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createOutbox, type DeliveryFailure, type GaveUp, type Outbox } from '../../../src/jobs/outbox.js';
import { testRedis } from '../../support/redis.js';
import { memoryLogger } from '../../support/service-fakes.js';

/**
 * The outbox against the run's real Redis and real BullMQ workers; `deliver` stands in for
 * Slack (what it throws is classified by the `failure` it carries). Backoff is shortened (20 ms
 * doubling, capped at 100 ms) so retries are seen in milliseconds.
 */
const db = testRedis('outbox');
const open: Outbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((outbox) => outbox.close()));
});
afterAll(() => db.close());

class SlackSaid extends Error {
  constructor(readonly failure: DeliveryFailure) {
    super(failure.reason);
  }
}

interface Harness {
  readonly outbox: Outbox;
  readonly delivered: { body: string; at: number }[];
  readonly gaveUp: GaveUp[];
}

function make(
  options: {
    prefix?: string;
    deliver?: (body: string) => Promise<void>;
    maxAgeMs?: number;
    now?: () => number;
    delivered?: { body: string; at: number }[];
  } = {},
): Harness {
  const delivered = options.delivered ?? [];
  const gaveUp: GaveUp[] = [];
  const outbox = createOutbox({
    connection: { url: db.url },
    redis: db.redis,
    prefix: options.prefix ?? `${db.prefix}-${Math.random().toString(36).slice(2, 8)}`,
    now: options.now ?? Date.now,
    logger: memoryLogger(),
    deliver: async (body) => {
      await options.deliver?.(body);
      delivered.push({ body, at: Date.now() });
    },
    classify: (error) => (error instanceof SlackSaid ? error.failure : { permanent: false, reason: String(error) }),
    maxAgeMs: options.maxAgeMs ?? 60_000,
    onGiveUp: async (g) => void gaveUp.push(g),
    backoff: { baseMs: 20, capMs: 100 },
    sweepEveryMs: 200,
  });
  open.push(outbox);
  return { outbox, delivered, gaveUp };
}

const entry = (id: string, conversation: string, once = true) => ({ id, conversation, body: id, once });
const bodies = (h: Harness, prefix = '') => h.delivered.map((d) => d.body).filter((b) => b.startsWith(prefix));

describe('the Slack outbox', () => {
  it('sends each conversation in order, one message at a time, and every message once', async () => {
    const h = make();
    await h.outbox.start();
    for (let i = 0; i < 20; i += 1) {
      await h.outbox.enqueue(entry(`a${i}`, 'C0A'));
      await h.outbox.enqueue(entry(`b${i}`, 'U0B'));
    }
    await expect.poll(() => h.delivered.length, { timeout: 10_000 }).toBe(40);
    expect(bodies(h, 'a')).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
    expect(bodies(h, 'b')).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`));
    expect(await h.outbox.stats()).toEqual({ depth: 0, oldestAgeSeconds: 0 });
  });

  it('queues a message once however often it is asked for, before and after it was sent', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = make({ deliver: () => gate });
    await h.outbox.start();
    await h.outbox.enqueue(entry('dm-ended-req_1', 'U0A'));
    await h.outbox.enqueue(entry('dm-ended-req_1', 'U0A'));
    release();
    await expect.poll(() => h.delivered.length, { timeout: 5_000 }).toBe(1);
    await h.outbox.enqueue(entry('dm-ended-req_1', 'U0A')); // a retried job asks again after Slack took it
    await h.outbox.enqueue(entry('dm-other', 'U0A'));
    await expect.poll(() => bodies(h), { timeout: 5_000 }).toEqual(['dm-ended-req_1', 'dm-other']);
  });

  it('coalesces updates of one message while they wait, and renders again one asked for during its send', async () => {
    let sends = 0;
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    const h = make({
      deliver: async (body) => {
        sends += 1;
        if (body === 'post-req_1') await first;
      },
    });
    await h.outbox.start();
    await h.outbox.enqueue(entry('post-req_1', 'C0A'));
    // Three state changes while the post is still on its way: one update waits behind it.
    for (let i = 0; i < 3; i += 1) await h.outbox.enqueue(entry('update-req_1', 'C0A', false));
    expect((await h.outbox.stats()).depth).toBe(2);
    releaseFirst();
    await expect.poll(() => bodies(h), { timeout: 5_000 }).toEqual(['post-req_1', 'update-req_1']);
    expect(sends).toBe(2);

    // An update asked for while the update is being sent (it rendered the older state) is sent again.
    let releaseUpdate!: () => void;
    const slow = new Promise<void>((resolve) => (releaseUpdate = resolve));
    let underWay = 0;
    const g = make({ deliver: () => ((underWay += 1), slow) });
    await g.outbox.start();
    await g.outbox.enqueue(entry('update-req_2', 'C0B', false));
    await expect.poll(() => underWay, { timeout: 5_000 }).toBe(1);
    await g.outbox.enqueue(entry('update-req_2', 'C0B', false));
    releaseUpdate();
    await expect.poll(() => bodies(g), { timeout: 5_000 }).toEqual(['update-req_2', 'update-req_2']);
    // Coalesced updates are not remembered as done: a later change updates again.
    await g.outbox.enqueue(entry('update-req_2', 'C0B', false));
    await expect.poll(() => g.delivered.length, { timeout: 5_000 }).toBe(3);
  });

  it('retries a failing head with capped exponential backoff, keeping the order, while other conversations go on', async () => {
    const tries: number[] = [];
    const h = make({
      deliver: async (body) => {
        if (body !== 'c1') return;
        tries.push(Date.now());
        if (tries.length <= 5) throw new SlackSaid({ permanent: false, reason: 'http_500' });
      },
    });
    await h.outbox.start();
    await h.outbox.enqueue(entry('c1', 'C0DOWN'));
    await h.outbox.enqueue(entry('c2', 'C0DOWN'));
    await h.outbox.enqueue(entry('u1', 'U0UP'));
    await expect.poll(() => bodies(h, 'u'), { timeout: 5_000 }).toEqual(['u1']);
    expect(bodies(h, 'c')).toEqual([]);
    await expect.poll(() => bodies(h, 'c'), { timeout: 10_000 }).toEqual(['c1', 'c2']);
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    process.stdout.write(`outbox backoff gaps (ms): ${gaps.join(', ')}\n`);
    expect(tries).toHaveLength(6);
    // 20, 40, 80, 100, 100 ms: each at least the backoff (BullMQ's delayed jobs wake late, never early).
    [20, 40, 80, 100, 100].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 5));
    expect(h.gaveUp).toEqual([]);
  });

  it('waits out a 429 for its Retry-After, not the backoff', async () => {
    const tries: number[] = [];
    const h = make({
      deliver: async () => {
        tries.push(Date.now());
        if (tries.length === 1) throw new SlackSaid({ permanent: false, reason: 'ratelimited', retryAfterMs: 1_000 });
      },
    });
    await h.outbox.start();
    await h.outbox.enqueue(entry('limited', 'C0BUSY'));
    await expect.poll(() => h.delivered.length, { timeout: 10_000 }).toBe(1);
    process.stdout.write(`outbox 429: retried after ${tries[1]! - tries[0]!} ms (Retry-After 1 s)\n`);
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(995);
  });

  it('gives up at once on a permanent error, and on any error once the message is older than the maximum age', async () => {
    let clock = Date.now();
    const h = make({
      now: () => clock,
      maxAgeMs: 60_000,
      deliver: async (body) => {
        if (body === 'gone') throw new SlackSaid({ permanent: true, reason: 'channel_not_found' });
        if (body === 'old') {
          clock += 61_000; // the outage outlived the maximum age by this failure
          throw new SlackSaid({ permanent: false, reason: 'http_503' });
        }
      },
    });
    await h.outbox.start();
    await h.outbox.enqueue(entry('gone', 'C0GONE'));
    await h.outbox.enqueue(entry('after-gone', 'C0GONE'));
    await h.outbox.enqueue(entry('old', 'U0OLD'));
    await expect.poll(() => bodies(h).sort(), { timeout: 5_000 }).toEqual(['after-gone']);
    await expect.poll(() => h.gaveUp.length, { timeout: 5_000 }).toBe(2);
    const byId = new Map(h.gaveUp.map((g) => [g.id, g]));
    expect(byId.get('gone')).toMatchObject({ conversation: 'C0GONE', error: 'channel_not_found', permanent: true });
    expect(byId.get('gone')?.attempts).toBe(1);
    expect(byId.get('old')).toMatchObject({ conversation: 'U0OLD', error: 'http_503', permanent: false });
    // Given up is settled too: asking again (a sweep) sends nothing.
    await h.outbox.enqueue(entry('gone', 'C0GONE'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.gaveUp).toHaveLength(2);
    expect((await h.outbox.stats()).depth).toBe(0);
  });

  it('reports the depth and the age of the oldest waiting message', async () => {
    let clock = 1_700_000_000_000;
    const h = make({ now: () => clock });
    await h.outbox.enqueue(entry('m1', 'C0A'));
    clock += 5_000;
    await h.outbox.enqueue(entry('m2', 'C0B'));
    clock += 2_500;
    expect(await h.outbox.stats()).toEqual({ depth: 2, oldestAgeSeconds: 7.5 });
  });

  it('two replicas on one Redis send each message once, each conversation in order', async () => {
    const prefix = `${db.prefix}-replicas`;
    const delivered: { body: string; at: number }[] = [];
    const seen = new Map<string, number>();
    const slowly = async (body: string) => {
      seen.set(body, (seen.get(body) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
      if (Math.random() < 0.1) throw new SlackSaid({ permanent: false, reason: 'http_500' });
    };
    const a = make({ prefix, deliver: slowly, delivered });
    const b = make({ prefix, deliver: slowly, delivered });
    await Promise.all([a.outbox.start(), b.outbox.start()]);
    const conversations = ['C0ONE', 'C0TWO', 'U0THREE', 'U0FOUR', 'U0FIVE'];
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 30; i += 1) {
      for (const c of conversations) {
        // Both replicas ask for every message (the same use case run twice): each is queued once.
        sent.push(a.outbox.enqueue(entry(`${c}-${i}`, c)), b.outbox.enqueue(entry(`${c}-${i}`, c)));
      }
    }
    await Promise.all(sent);
    await expect.poll(() => delivered.length, { timeout: 20_000 }).toBe(150);
    for (const c of conversations) {
      expect(bodies({ ...a, delivered }, `${c}-`)).toEqual(Array.from({ length: 30 }, (_, i) => `${c}-${i}`));
    }
    const sends = [...seen.values()].reduce((x, y) => x + y, 0);
    process.stdout.write(`two replicas: 150 messages, ${sends} sends (10% failed and retried)\n`);
    expect(await a.outbox.stats()).toEqual({ depth: 0, oldestAgeSeconds: 0 });
  }, 30_000);
});
