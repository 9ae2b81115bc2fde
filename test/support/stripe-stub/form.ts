/**
 * Stripe's request bodies as the SDK sends them: `application/x-www-form-urlencoded` with
 * bracketed keys (`line_items[0][price_data][currency]=usd`, `metadata[space]=…`), decoded into
 * nested objects; objects whose keys are all indices become arrays.
 */

export type FormValue = string | FormObject | FormValue[];
export type FormObject = { [key: string]: FormValue };

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

function keyPath(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return null;
  const rest = [...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!);
  return [match[1]!, ...rest];
}

function arrays(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const mapped = Object.fromEntries(keys.map((k) => [k, arrays(value[k]!)])) as FormObject;
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => mapped[k]!);
  }
  return mapped;
}

/** Decodes a form body (or a query string); throws on a key it cannot read. */
export function decodeForm(body: string): FormObject {
  const root: FormObject = {};
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    const path = keyPath(key);
    if (!path || path.some((part) => FORBIDDEN.has(part))) throw new Error(`unreadable form key ${key}`);
    let node: FormObject = root;
    path.forEach((part, i) => {
      const name = part === '' ? String(Object.keys(node).length) : part;
      if (i === path.length - 1) {
        node[name] = value;
        return;
      }
      const next = node[name];
      if (next === undefined || typeof next === 'string' || Array.isArray(next)) node[name] = {};
      node = node[name] as FormObject;
    });
  }
  return arrays(root) as FormObject;
}

/** A string field, or undefined. */
export function str(value: FormValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** An integer field (Stripe sends numbers as strings), or undefined. */
export function int(value: FormValue | undefined): number | undefined {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return undefined;
  return Number(value);
}

export function obj(value: FormValue | undefined): FormObject {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

export function bool(value: FormValue | undefined): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}
