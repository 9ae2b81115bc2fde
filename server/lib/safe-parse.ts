/**
 * zod's `safeParse` for untrusted input, which never throws.
 *
 * zod's length checks (`min`/`max` of strings and arrays) run on any value that has a
 * `length`, even one of the wrong type, and compare that `length` with a number. JSON such as
 * `{"length":{"valueOf":0,"toString":0}}` has no primitive value, so the comparison throws a
 * TypeError out of `safeParse` (one 90-byte WebSocket frame was an unhandled rejection that
 * stops a Node server). Here such a value is refused like any other invalid input.
 */
import { z } from 'zod';

export function safeParse<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  try {
    return schema.safeParse(value) as z.ZodSafeParseResult<z.output<S>>;
  } catch {
    return { success: false, error: new z.ZodError([{ code: 'custom', path: [], message: 'Unreadable value (a field has no primitive value).', input: value }]) as z.ZodError<z.output<S>> };
  }
}
