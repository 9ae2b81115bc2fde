/**
 * Arbitraries for property tests at the boundaries: hostile values of every
 * kind (wrong types, huge strings, deep nesting, unicode, prototype-pollution
 * keys, NaN / Infinity / -0 / huge numbers), values a zod schema accepts
 * (walked through its JSON Schema, so a schema added later is covered without
 * editing this file), and near misses: an accepted value with one thing wrong.
 */
import fc from 'fast-check';
import { z } from 'zod';

/** Keys that attack how objects are merged, copied and looked up. */
export const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'length', ''];

export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, -1, 1e308, -1e308, Number.MIN_VALUE, 2 ** 31, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, 2 ** 64, 0.5),
  fc.integer(),
  fc.double(),
);

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\u202e',
    '\ufeff',
    '🎙️👩‍👩‍👧',
    '../../etc/passwd',
    "x'; drop table accounts; --",
    '%E0%A4%A',
    '$ne',
    '<script>alert(1)</script>',
    '${process.exit()}',
    ...NASTY_KEYS,
  ),
  // Long, but well under a 64 KiB frame once wrapped.
  fc.integer({ min: 200, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** An object whose keys include the nasty ones, as own properties (so JSON.stringify sends them). */
function objectOf<T>(value: fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> {
  return fc.dictionary(fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 12 })), value, { maxKeys: 5 });
}

/** `[[[…1…]]]` or `{a:{a:…}}`, up to a thousand levels deep (deeper overflows fast-check's own reporting of a counterexample). */
export const deepNesting: fc.Arbitrary<unknown> = fc.tuple(fc.integer({ min: 50, max: 1000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});

/** Any JSON-ish value a hostile client can send, hostile at every level. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, undefined, true, false, {}, []),
    nastyNumber,
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    objectOf(tie('value')),
    deepNesting,
  ),
})).value;

// --- values a schema accepts, walked through its JSON Schema -------------------------------

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

/**
 * Strings worth trying where a schema wants a string: real ids and names the
 * test knows (so requests get past validation into the handlers) and random ones.
 */
export type StringPool = () => readonly string[];

function stringFor(schema: JsonSchema, pool: StringPool): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 40, 40));
  const fits = (s: string) => s.length >= min && s.length <= (schema.maxLength ?? Infinity) && (!schema.pattern || new RegExp(schema.pattern, 'u').test(s));
  let random: fc.Arbitrary<string> = fc.string({ minLength: min, maxLength: max });
  if (schema.pattern) {
    try {
      random = fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Infinity));
    } catch {
      // A pattern fast-check cannot generate from: plain strings (mostly near misses then).
    }
  }
  if (schema.format === 'email') random = fc.emailAddress();
  // Read when a value is generated, so ids made after the arbitrary was built are used.
  const known = fc.nat().chain((i) => {
    const fitting = pool().filter(fits);
    return fitting.length > 0 ? fc.constant(fitting[i % fitting.length]!) : random;
  });
  return fc.oneof(random, known);
}

function numberFor(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : -1e6);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-6) : 1e6);
  if (integer) return fc.integer({ min: Math.max(Math.ceil(min), Number.MIN_SAFE_INTEGER), max: Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function fromJsonSchema(schema: JsonSchema, pool: StringPool): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map((s) => fromJsonSchema(s, pool)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema, pool);
    case 'number':
      return numberFor(schema, false);
    case 'integer':
      return numberFor(schema, true);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(schema.items ? fromJsonSchema(schema.items, pool) : fc.jsonValue({ maxDepth: 1 }), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, fromJsonSchema(s, pool)]));
      const known = fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in properties) });
      if (schema.additionalProperties === false) return known;
      const extra = schema.additionalProperties && schema.additionalProperties !== true ? fromJsonSchema(schema.additionalProperties, pool) : fc.jsonValue({ maxDepth: 1 });
      return fc.tuple(known, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), extra, { maxKeys: 2 })).map(([k, more]) => ({ ...more, ...k }));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values shaped like what `schema` accepts (most pass it; some do not, which is fine for a fuzzer). */
export function acceptedBy(schema: z.ZodType, pool: StringPool = () => []): fc.Arbitrary<unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const shaped = fromJsonSchema(json, pool);
  // z.undefined() and optional inputs have no JSON Schema: try "nothing" too.
  return schema.safeParse(undefined).success ? fc.oneof(fc.constant(undefined), shaped) : shaped;
}

// --- near misses: one thing wrong --------------------------------------------------------

type Path = Array<string | number>;

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const key of Object.keys(value)) pathsOf((value as Record<string, unknown>)[key], [...path, key], out);
  return out;
}

function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type Mutation = { kind: 'replace'; with: unknown } | { kind: 'delete' } | { kind: 'extra-key'; key: string; value: unknown } | { kind: 'wrap' } | { kind: 'stringify' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), with: hostileValue }),
  fc.constant({ kind: 'delete' as const }),
  fc.record({ kind: fc.constant('extra-key' as const), key: fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 10 })), value: hostileValue }),
  fc.constant({ kind: 'wrap' as const }),
  fc.constant({ kind: 'stringify' as const }),
);

function mutate(value: unknown, path: Path, change: Mutation): unknown {
  if (path.length === 0) {
    switch (change.kind) {
      case 'replace':
        return change.with;
      case 'delete':
        return undefined;
      case 'wrap':
        return [value];
      case 'stringify':
        return JSON.stringify(value) ?? 'undefined';
      case 'extra-key': {
        const copy: Record<string, unknown> = {};
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          for (const key of Object.keys(value)) defineOwn(copy, key, (value as Record<string, unknown>)[key]);
        }
        defineOwn(copy, change.key, change.value);
        return copy;
      }
    }
  }
  const [head, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = mutate(copy[head as number], rest, change);
    if (next === undefined && rest.length === 0 && change.kind === 'delete') copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value as object)) {
    if (key !== head) defineOwn(copy, key, (value as Record<string, unknown>)[key]);
    else {
      const next = mutate((value as Record<string, unknown>)[key], rest, change);
      if (!(next === undefined && rest.length === 0 && change.kind === 'delete')) defineOwn(copy, key, next);
    }
  }
  return copy;
}

/** A value `schema` accepts with one thing changed at one place: a wrong type there, a key gone or added, wrapped, or stringified. */
export function nearMiss(schema: z.ZodType, pool: StringPool = () => []): fc.Arbitrary<unknown> {
  return fc.tuple(acceptedBy(schema, pool), fc.nat(), mutation).map(([value, at, change]) => {
    const paths = pathsOf(value);
    return mutate(value, paths[at % paths.length]!, change);
  });
}

/** Garbage, near misses and accepted values for one schema, mixed by these weights. */
export function inputsFor(schema: z.ZodType, pool: StringPool = () => [], weights = { garbage: 3, nearMiss: 5, accepted: 2 }): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: hostileValue, weight: weights.garbage },
    { arbitrary: nearMiss(schema, pool), weight: weights.nearMiss },
    { arbitrary: acceptedBy(schema, pool), weight: weights.accepted },
  );
}
