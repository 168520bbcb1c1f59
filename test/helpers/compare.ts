/**
 * The image comparison of reference/imgflo/cases.json: both images to CIE L*a*b* plus alpha;
 * per pixel diff = max(CIE76 ΔE, |Δalpha|·100). A parity case passes when the sizes are equal,
 * the mean diff ≤ 1.0 and the 99th percentile ≤ 3.0; the maximum is reported beside it.
 */
import sharp from 'sharp';

export interface Comparison {
  sameSize: boolean;
  actualSize: [number, number];
  expectedSize: [number, number];
  mean: number;
  p99: number;
  max: number;
}

const D50 = [0.96422, 1.0, 0.82521] as const;
// sRGB (linear) → XYZ adapted to D50 (Bradford), as ICC and babl use.
const M = [
  [0.4360747, 0.3850649, 0.1430804],
  [0.2225045, 0.7168786, 0.0606169],
  [0.0139322, 0.0971045, 0.7141733],
] as const;

const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);

async function labA(input: Buffer | string): Promise<{ lab: Float64Array; width: number; height: number }> {
  const { data, info } = await sharp(input)
    .toColourspace('rgb16')
    .ensureAlpha()
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  const px = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  const n = info.width * info.height;
  const lab = new Float64Array(n * 4);
  for (let p = 0; p < n; p++) {
    const r = lin(px[p * 4]! / 65535);
    const g = lin(px[p * 4 + 1]! / 65535);
    const b = lin(px[p * 4 + 2]! / 65535);
    const fx = f((M[0][0] * r + M[0][1] * g + M[0][2] * b) / D50[0]);
    const fy = f((M[1][0] * r + M[1][1] * g + M[1][2] * b) / D50[1]);
    const fz = f((M[2][0] * r + M[2][1] * g + M[2][2] * b) / D50[2]);
    lab[p * 4] = 116 * fy - 16;
    lab[p * 4 + 1] = 500 * (fx - fy);
    lab[p * 4 + 2] = 200 * (fy - fz);
    lab[p * 4 + 3] = px[p * 4 + 3]! / 65535;
  }
  return { lab, width: info.width, height: info.height };
}

export async function compareImages(actual: Buffer | string, expected: Buffer | string): Promise<Comparison> {
  const [a, e] = await Promise.all([labA(actual), labA(expected)]);
  const base = {
    actualSize: [a.width, a.height] as [number, number],
    expectedSize: [e.width, e.height] as [number, number],
  };
  if (a.width !== e.width || a.height !== e.height) {
    return { ...base, sameSize: false, mean: Infinity, p99: Infinity, max: Infinity };
  }
  const n = a.width * a.height;
  const diffs = new Float64Array(n);
  let sum = 0;
  for (let p = 0; p < n; p++) {
    const i = p * 4;
    const dE = Math.hypot(a.lab[i]! - e.lab[i]!, a.lab[i + 1]! - e.lab[i + 1]!, a.lab[i + 2]! - e.lab[i + 2]!);
    const d = Math.max(dE, Math.abs(a.lab[i + 3]! - e.lab[i + 3]!) * 100);
    diffs[p] = d;
    sum += d;
  }
  diffs.sort();
  return {
    ...base,
    sameSize: true,
    mean: sum / n,
    p99: diffs[Math.max(0, Math.ceil(n * 0.99) - 1)]!, // nearest rank
    max: diffs[n - 1]!,
  };
}

/** The pass rule of a parity case. */
export const passesParity = (c: Comparison) => c.sameSize && c.mean <= 1.0 && c.p99 <= 3.0;

/** An image's mean colour in L*a*b* (the mean of its pixels' L*, a*, b*). */
export async function meanLab(input: Buffer | string): Promise<[number, number, number]> {
  const { lab, width, height } = await labA(input);
  const n = width * height;
  const sum = [0, 0, 0];
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) sum[c]! += lab[p * 4 + c]!;
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}

/** CIE76 ΔE between two L*a*b* colours. */
export const deltaE = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

/** Where `differs` holds over a width × height grid: the bounding box, and how many pixels. */
export function boxWhere(width: number, height: number, differs: (x: number, y: number) => boolean) {
  const box = { left: Infinity, top: Infinity, right: -1, bottom: -1, count: 0 };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!differs(x, y)) continue;
      box.count++;
      box.left = Math.min(box.left, x);
      box.top = Math.min(box.top, y);
      box.right = Math.max(box.right, x);
      box.bottom = Math.max(box.bottom, y);
    }
  }
  return box;
}
