import { describe, expect, it } from 'vitest';
import { clip, fields, header } from '../../../../src/slack/blocks/block-kit.js';

describe('block-kit helpers', () => {
  it('clip leaves short text alone and cuts long text within the limit', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('clip never leaves half an entity or half a mention', () => {
    expect(clip('abc &amp; def', 7)).toBe('abc …');
    expect(clip('hi <@U0123ABCD> there', 10)).toBe('hi …');
    expect(clip('a &amp; b <@U1> and more text', 18)).toBe('a &amp; b <@U1> a…');
  });

  it('fields keep Slack’s limit of ten', () => {
    const many = Array.from({ length: 12 }, (_, i) => [`k${i}`, `v${i}`] as const);
    expect(fields(many).fields).toHaveLength(10);
  });

  it('header text stays within 150 characters', () => {
    expect(header('h'.repeat(200)).text.text.length).toBe(150);
  });
});
