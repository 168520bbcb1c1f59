/**
 * Turns query values (always strings) and graph-file values (JSON) into typed property values,
 * clamped to the declared range as the original did. A value that cannot be converted is a 422.
 */
import type { PropDecl, PropValue } from './components/types.ts';
import { canonicalColor, MAX_COLOR_LENGTH, parseColor } from './color.ts';
import { invalidParameter } from './errors.ts';
import { resolveImageRef } from './input-ref.ts';
import { MAX_INPUT_LENGTH } from './reserved.ts';
import { scanNumber } from './scan.ts';

/**
 * The longest value each type accepts, checked before any parsing: no number, colour, enum
 * value or flag of the accepted syntax is longer.
 */
export const MAX_VALUE_LENGTH: Readonly<Record<PropDecl['type'], number>> = {
  number: 64,
  int: 64,
  boolean: 8,
  enum: 64,
  color: MAX_COLOR_LENGTH,
  string: 1024,
  image: MAX_INPUT_LENGTH,
};

function clamp(n: number, decl: PropDecl): number {
  const lo = decl.minimum ?? -Infinity;
  const hi = decl.maximum ?? Infinity;
  return Math.min(hi, Math.max(lo, n));
}

export function convertParam(name: string, raw: string, decl: PropDecl): PropValue {
  const max = MAX_VALUE_LENGTH[decl.type];
  if (raw.length > max) throw invalidParameter(name, `longer than ${max} characters`);
  const value = raw.trim();
  switch (decl.type) {
    case 'number':
    case 'int': {
      const n = scanNumber(value);
      if (n === null) throw invalidParameter(name, 'not a number');
      if (!Number.isFinite(n)) throw invalidParameter(name, 'not a finite number');
      return clamp(decl.type === 'int' ? Math.trunc(n) : n, decl);
    }
    case 'boolean': {
      const v = value.toLowerCase();
      if (v === 'true' || v === '1' || v === 'yes') return true;
      if (v === 'false' || v === '0' || v === 'no') return false;
      throw invalidParameter(name, 'expected true or false');
    }
    case 'enum': {
      if (!decl.values?.includes(value)) {
        throw invalidParameter(name, `expected one of ${(decl.values ?? []).join(', ')}`);
      }
      return value;
    }
    case 'color': {
      const c = parseColor(value);
      if (!c) throw invalidParameter(name, 'not a colour');
      return canonicalColor(c);
    }
    case 'string':
      return raw;
    case 'image':
      return resolveImageRef(name, raw);
  }
}

/** Converts a value written in a graph file (an IIP) the same way. */
export function coerceValue(name: string, value: unknown, decl: PropDecl): PropValue {
  if (typeof value === 'number' && (decl.type === 'number' || decl.type === 'int')) {
    return clamp(decl.type === 'int' ? Math.trunc(value) : value, decl);
  }
  if (typeof value === 'boolean' && decl.type === 'boolean') return value;
  return convertParam(name, String(value), decl);
}
