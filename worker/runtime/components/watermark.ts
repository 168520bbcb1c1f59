/**
 * image/watermark: the overlay, sized to a share of the input's width (never larger than the
 * input, less its margins), its alpha times `opacity`, composited over the input in sRGB at a
 * gravity and margin, or repeated over all of it with `margin` between the tiles.
 */
import { toSharp, type RawImage } from '../raw-image.ts';
import type { ComponentImpl } from './types.ts';

/** Where a side of the overlay starts: at the start (plus margin), the end (less it), or centred. */
function offset(gravity: string, start: string, end: string, room: number, size: number, margin: number): number {
  if (gravity.includes(start)) return margin;
  if (gravity.includes(end)) return room - size - margin;
  return Math.floor((room - size) / 2);
}

export const watermark: ComponentImpl = async (inputs, props) => {
  const base = inputs.input!;
  const overlay = inputs.overlay;
  if (!overlay) return base;
  const tile = props.tile === true;
  const margin = Number(props.margin);
  const scale = Number(props.scale);
  const opacity = Number(props.opacity);
  // The size asked for, then shrunk to fit inside the input less its margins (aspect kept).
  const roomW = Math.max(1, base.width - (tile ? margin : 2 * margin));
  const roomH = Math.max(1, base.height - (tile ? margin : 2 * margin));
  const askedW = scale > 0 ? base.width * scale : overlay.width;
  const askedH = (askedW * overlay.height) / overlay.width;
  const fit = Math.min(1, roomW / askedW, roomH / askedH);
  const width = Math.max(1, Math.round(askedW * fit));
  const height = Math.max(1, Math.round(askedH * fit));

  // A fresh RGBA buffer of the overlay at its size (sharp leaves an unchanged size alone).
  const { data } = await toSharp(overlay).ensureAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  if (opacity < 1) for (let i = 3; i < data.length; i += 4) data[i] = Math.round(data[i]! * opacity);
  let mark: RawImage = { data, width, height, channels: 4 };
  // A tile and its gap never exceed the input (which sharp requires).
  const gap = Math.min(margin, base.width - width, base.height - height);
  if (tile && gap > 0) {
    const spaced = await toSharp(mark).extend({ right: gap, bottom: gap, background: { r: 0, g: 0, b: 0, alpha: 0 } }).raw().toBuffer({ resolveWithObject: true });
    mark = { data: spaced.data, width: spaced.info.width, height: spaced.info.height, channels: 4 };
  }

  const gravity = String(props.gravity);
  const placed = tile
    ? { tile: true, gravity: 'northwest' }
    : { left: offset(gravity, 'west', 'east', base.width, width, margin), top: offset(gravity, 'north', 'south', base.height, height, margin) };
  let out = toSharp(base).composite([{ input: mark.data, raw: { width: mark.width, height: mark.height, channels: 4 }, ...placed }]);
  if (base.channels === 3) out = out.removeAlpha();
  const { data: pixels, info } = await out.raw().toBuffer({ resolveWithObject: true });
  return { data: pixels, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
};
