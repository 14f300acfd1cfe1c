import { afterEach, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../../src/domain/access-request.js';
import { COMMAND_LANE } from '../../../../src/slack/listeners/command.js';
import { type ListenerHarness, startListeners } from './listener-harness.js';

let harness: ListenerHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A use case that holds every call until `release()`. */
function held() {
  const waiting: (() => void)[] = [];
  let calls = 0;
  return {
    call: () =>
      new Promise<AccessRequest[]>((resolve) => {
        calls += 1;
        waiting.push(() => resolve([]));
      }),
    calls: () => calls,
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

describe('the command lane', () => {
  it('carries out a burst a few commands at a time, answers every one, and never holds up the request modal', async () => {
    const listMine = held();
    harness = await startListeners({
      listMine: listMine.call,
      listTargets: () => Promise.resolve([]),
    });
    const h = harness;
    const burst = Array.from({ length: COMMAND_LANE + 4 }, (_, i) => h.command(`U0BURST${i}`, 'list'));
    await expect.poll(() => listMine.calls()).toBe(COMMAND_LANE);

    // The lane is full, yet the modal opens: its trigger id would not wait.
    void h.command('U0MODAL', 'request');
    const opened = await h.slack.waitFor('views.open', undefined, 5_000);
    expect(opened.args.view).toMatchObject({ type: 'modal' });
    expect(listMine.calls()).toBe(COMMAND_LANE);

    // As the first commands finish, the others get their turn, and every person is answered.
    while (listMine.calls() < burst.length) {
      listMine.release();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    listMine.release();
    const answers = await Promise.all(burst);
    expect(answers).toHaveLength(COMMAND_LANE + 4);
    for (const answer of answers) expect(answer).toMatchObject({ response_type: 'ephemeral' });
  });
});
