/** CSS colours (#rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), hsl(), names) in one canonical form. */
import colorString from 'color-string';

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0–1 */
  a: number;
}

export function parseColor(text: string): Rgba | null {
  const c = colorString.get.rgb(text.trim());
  if (!c) return null;
  return { r: c[0]!, g: c[1]!, b: c[2]!, a: c[3]! };
}

/** `#rrggbbaa`, the form GEGL gave colour defaults in. */
export function canonicalColor(c: Rgba): string {
  const hex = (n: number) => Math.round(n).toString(16).padStart(2, '0');
  return `#${hex(c.r)}${hex(c.g)}${hex(c.b)}${hex(c.a * 255)}`;
}
