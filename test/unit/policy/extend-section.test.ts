import { describe, expect, it } from 'vitest';
import { loadOne, problemsOf, withAccess, type Yaml } from './workflow-files.js';

const BREAKGLASS = { allowed: true, max_duration: '1h', notify_channel: 'C0SECURITY', review_within: '24h' };
const VENDOR = { allowed: true, sponsors: { groups: ['S0VENDORMGR'] }, max_duration: '2h', principals: ['vendor'] };
const HOUR = 3_600_000;

function withExtend(extend: unknown, sections: Yaml = {}): Yaml {
  return { ...withAccess({}), ...sections, extend };
}

describe('the extend: section', () => {
  it('maps to rules per kind: breakglass inherits max_total but never auto_within, vendors never extend at once', async () => {
    const workflow = await loadOne(
      withExtend({ allowed: true, max_total: '8h', auto_within: '2h' }, { breakglass: BREAKGLASS, vendor: VENDOR }),
    );
    expect(workflow.extend).toEqual({
      standard: { allowed: true, maxTotal: 8 * HOUR, autoWithin: 2 * HOUR },
      breakglass: { allowed: true, maxTotal: 8 * HOUR },
      vendor: { allowed: true, maxTotal: 8 * HOUR },
    });
  });

  it('takes a kind’s own rules, and leaves extend out when nothing may be extended', async () => {
    const workflow = await loadOne(
      withExtend(
        {
          allowed: true,
          max_total: '8h',
          breakglass: { max_total: '2h', auto_within: '90m' },
          vendor: { allowed: false },
        },
        { breakglass: BREAKGLASS, vendor: VENDOR },
      ),
    );
    expect(workflow.extend?.breakglass).toEqual({ allowed: true, maxTotal: 2 * HOUR, autoWithin: 90 * 60_000 });
    expect(workflow.extend?.vendor.allowed).toBe(false);
    expect((await loadOne(withExtend({ allowed: false }))).extend).toBeUndefined();
  });

  it('refuses unknown keys, a missing max_total, and auto_within past max_total, naming file and path', async () => {
    expect(await problemsOf(withExtend({ allowed: true, max_total: '8h', auto: '1h' }))).toEqual([
      'prod.yml: extend.auto: unknown key (allowed: allowed, max_total, auto_within, breakglass, vendor)',
    ]);
    expect(await problemsOf(withExtend({ allowed: true }))).toEqual([
      'prod.yml: extend.max_total: required when extend is allowed: a duration (use 90s, 30m, 2h, 1h30m, 1d)',
    ]);
    expect(await problemsOf(withExtend({ allowed: true, max_total: '2h', auto_within: '3h' }))).toEqual([
      'prod.yml: extend.auto_within: must not be longer than max_total (2h), got 3h',
    ]);
  });

  it('refuses auto_within for vendors, and a kind’s rules where the workflow has no such grants', async () => {
    expect(
      await problemsOf(
        withExtend({ allowed: true, max_total: '8h', vendor: { auto_within: '1h' } }, { vendor: VENDOR }),
      ),
    ).toEqual(['prod.yml: extend.vendor.auto_within: unknown key (allowed: allowed, max_total)']);
    expect(await problemsOf(withExtend({ allowed: true, max_total: '8h', breakglass: { allowed: true } }))).toEqual([
      'prod.yml: extend.breakglass.allowed: needs breakglass.allowed: true (the workflow has no breakglass grants to extend)',
    ]);
    expect(await problemsOf(withExtend({ breakglass: { allowed: true } }, { breakglass: BREAKGLASS }))).toEqual([
      'prod.yml: extend.breakglass.max_total: required when breakglass grants may be extended: a duration (use 90s, 30m, 2h, 1h30m, 1d)',
    ]);
  });
});
