/**
 * One set of value parsers for both backends, so query code sees the same types on PGlite and
 * PostgreSQL: `pg` returns int8 as a string and bytea as a Buffer, PGlite a number/BigInt and a
 * Uint8Array. Here int8 is a number (refused past 2^53, never silently rounded) and bytea a plain
 * Uint8Array. timestamptz is a Date on both already. Avoid `interval` columns (their shapes differ).
 */
import pg from 'pg';

export const OID = { int8: 20, bytea: 17 } as const;

export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} is too large for a JavaScript number`);
  return value;
}

const pgBytea = pg.types.getTypeParser(OID.bytea, 'text') as (text: string) => Buffer;

export function parseBytea(text: string): Uint8Array {
  const buffer = pgBytea(text);
  return new Uint8Array(buffer); // a copy: a Buffer may be a view into a shared pool
}

/** For PGlite's `parsers` option (its bytea is a Uint8Array already). */
export const PGLITE_PARSERS = { [OID.int8]: parseInt8 };

/** For a `pg` Pool's `types` option. */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === OID.int8) return parseInt8;
    if (oid === OID.bytea) return parseBytea;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
