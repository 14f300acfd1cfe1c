import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * Prometheus metrics: process defaults plus the gauges an operator alerts on. Values are read
 * from the store at scrape time, so every replica reports the same truth.
 */
export function createMetrics(deps: { countByStatus: (status: 'pending' | 'active' | 'approved') => Promise<number> }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jumpgate_' });
  for (const status of ['pending', 'approved', 'active'] as const) {
    new Gauge({
      name: `jumpgate_requests_${status}`,
      help: `Requests currently ${status}`,
      registers: [registry],
      async collect() {
        this.set(await deps.countByStatus(status));
      },
    });
  }
  return {
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
