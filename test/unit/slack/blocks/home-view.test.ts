import { describe, expect, it } from 'vitest';
import { homeView } from '../../../../src/slack/blocks/home-view.js';
import { accessRequest } from '../../../support/builders.js';
import { workflow } from '../../../support/policy-builders.js';

describe('homeView', () => {
  const wf = workflow();
  const targets = wf.targets.map((target) => ({ target, workflow: wf }));

  it('offers a Request access button, lists what is pending or active, and what may be requested', () => {
    const pending = accessRequest({ id: 'req_home1', target: 'prod-db' });
    const view = homeView({ requests: [pending], targets, now: pending.createdAt });
    const json = JSON.stringify(view);
    expect(view.type).toBe('home');
    expect(json).toContain('"action_id":"jump_open_request_modal"');
    expect(json).toContain('req_home1');
    expect(json).toContain('prod-db');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
  });

  it('says there is nothing pending or active when that is so', () => {
    expect(JSON.stringify(homeView({ requests: [], targets, now: 0 }))).toContain(
      'You have nothing pending or active.',
    );
  });
});
