import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { safeParse } from './safe-parse.ts';

const unconvertible = JSON.parse('{"length":{"valueOf":0,"toString":0}}') as unknown;

describe('safeParse', () => {
  it('refuses a value whose length has no primitive value, where zod itself throws', () => {
    const schema = z.object({ title: z.string().max(120) });
    expect(() => schema.safeParse({ title: unconvertible })).toThrow(TypeError);
    const parsed = safeParse(schema, { title: unconvertible });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/Unreadable/);
  });

  it('parses like zod otherwise', () => {
    expect(safeParse(z.string().max(3), 'abc')).toEqual({ success: true, data: 'abc' });
    expect(safeParse(z.string().max(3), 'abcd').success).toBe(false);
  });
});
