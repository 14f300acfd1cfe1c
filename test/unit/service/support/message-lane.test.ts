import { describe, expect, it } from 'vitest';
import { createMessageLane } from '../../../../src/service/support/message-lane.js';
import { memoryLogger } from '../../../support/service-fakes.js';

describe('the message lane', () => {
  it('sends at most `concurrency` messages at a time, and drain waits for all of them', async () => {
    const { lane, drain } = createMessageLane({ concurrency: 2, logger: memoryLogger() });
    let running = 0;
    let most = 0;
    let sent = 0;
    for (let i = 0; i < 6; i += 1) {
      lane(async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        sent += 1;
      });
    }
    await drain(5_000);
    expect([sent, most]).toEqual([6, 2]);
  });

  it('logs a message that failed and goes on with the next', async () => {
    const logs: { level: string; object: object; message?: string }[] = [];
    const { lane, drain } = createMessageLane({ concurrency: 1, logger: memoryLogger(logs) });
    let sent = 0;
    lane(() => Promise.reject(new Error('slack down')));
    lane(async () => {
      sent += 1;
    });
    await drain(5_000);
    expect(sent).toBe(1);
    expect(logs.map((log) => log.message)).toContain('a queued message failed');
  });
});
