import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/http/metrics.js';

const countByStatus = async () => 0;

describe('/metrics: the Slack outbox', () => {
  it('shows the depth and the age of the oldest waiting message, read at scrape time', async () => {
    let stats = { depth: 3, oldestAgeSeconds: 42.5 };
    const metrics = createMetrics({ countByStatus, outbox: async () => stats });
    const first = (await metrics.render()).body;
    expect(first).toMatch(/^jumpgate_outbox_depth 3$/m);
    expect(first).toMatch(/^jumpgate_outbox_oldest_age_seconds 42\.5$/m);
    stats = { depth: 0, oldestAgeSeconds: 0 };
    const second = (await metrics.render()).body;
    expect(second).toMatch(/^jumpgate_outbox_depth 0$/m);
    expect(second).toMatch(/^jumpgate_outbox_oldest_age_seconds 0$/m);
  });

  // prom-client writes NaN as `Nan`; Prometheus reads either.
  it('says NaN when Redis cannot be asked, rather than a comforting 0', async () => {
    const metrics = createMetrics({ countByStatus, outbox: () => Promise.reject(new Error('redis down')) });
    const body = (await metrics.render()).body;
    expect(body).toMatch(/^jumpgate_outbox_depth NaN$/im);
    expect(body).toMatch(/^jumpgate_outbox_oldest_age_seconds NaN$/im);
  });
});
