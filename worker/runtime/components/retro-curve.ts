/**
 * imgfloextra:retro-curve, as the original computes it on 8-bit R'G'B' (its integer path: every
 * image between steps here is 8-bit): out = A[C_channel[in]] with the preset's lookup tables
 * (retro-curves.json, from the original's source). `indie` then pulls the two lesser channels
 * 10 % of the way toward the greatest; `country` first applies contrast 1.1 and brightness −0.05
 * — to red only, as the original's integer path does.
 */
import type { RawImage } from '../raw-image.ts';
import CURVES from './retro-curves.json' with { type: 'json' };
import type { ComponentImpl } from './types.ts';

/** Each preset's R, G, B and shared second curve, as 0–255 lookup tables, made once. */
const PRESETS: ReadonlyMap<string, { name: string; curves: Uint8Array[] }> = new Map(
  Object.entries(CURVES.presets as Record<string, string>).map(([preset, name]) => [
    preset,
    { name, curves: ['R', 'G', 'B', 'A'].map((c) => Uint8Array.from((CURVES.tables as Record<string, number[]>)[`${name}_${c}`]!.slice(0, 256))) },
  ]),
);

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

export const retroCurve: ComponentImpl = (inputs, props) => {
  const src = inputs.input!;
  const preset = PRESETS.get(String(props.preset));
  if (!preset) return src;
  const { name } = preset;
  const [r, g, b, a] = preset.curves;
  const data = Buffer.from(src.data);
  const out: RawImage = { ...src, data };
  for (let i = 0; i < data.length; i += src.channels) {
    let red = data[i]!;
    if (name === 'NASHVILLE') red = clamp8(Math.round(((red / 255 - 0.5) * 1.1 - 0.05 + 0.5) * 255));
    const px = [a![r![red]!]!, a![g![data[i + 1]!]!]!, a![b![data[i + 2]!]!]!];
    if (name === 'BRANNAN') {
      const max = Math.max(px[0]!, px[1]!, px[2]!);
      for (let c = 0; c < 3; c++) if (px[c] !== max) px[c] = clamp8(px[c]! + Math.round((max - px[c]!) * 0.1));
    }
    data[i] = px[0]!;
    data[i + 1] = px[1]!;
    data[i + 2] = px[2]!;
  }
  return out;
};
