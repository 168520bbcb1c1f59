/**
 * How the original canvas components treat arrays: when any property of an object is an
 * array, the object becomes an array as long as the longest one, each element taking the i-th
 * value of every array property (cycling through shorter ones) and the others as they are.
 */
export function expandToArray<T extends Record<string, unknown> | unknown[]>(props: T): T | T[] {
  let length = 0;
  for (const value of Object.values(props)) if (Array.isArray(value) && value.length > length) length = value.length;
  if (length === 0) return props;
  return Array.from({ length }, (_, i) => {
    const item = (Array.isArray(props) ? [] : {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(props)) item[k] = Array.isArray(v) ? (v[i] ?? v[i % v.length]) : v;
    return item as T;
  });
}
