/** What the original catalogue's graphs do, for graph files that carry no description. */
export const ORIGINAL_DESCRIPTIONS: Readonly<Record<string, string>> = {
  passthrough: 'Decodes, optionally scales (width/height), and encodes: format conversion and resizing',
  noop: 'Stores the input image unchanged (no processing); only images of the requested type',
  crop: 'Cuts out the rectangle x, y, cropwidth × cropheight; beyond the image is transparent',
  croprotate: 'Rotates about the centre (counter-clockwise for positive degrees, nearest sampling), then crops',
  customgrey: 'Turns the image grey by linear luminance (the original custom component example)',
  desaturate: 'Colour to grey keeping local contrast (approximated: linear luminance)',
  gaussianblur: 'Gaussian blur in linear light with its own σ per axis and an edge policy',
  gradientmap: 'Maps luminance onto a gradient of up to five colours, blended over the original',
  halodarken: 'Darkens the image except near edges, leaving a halo (edge map colour-dodged with the original)',
  motionblur: 'Linear motion blur along an angle, contrast-adjusted and screened over the original',
  enhancelowres: 'Edge-preserving noise reduction plus fine seeded grain, for small or noisy pictures',
  retro: 'Instant-film colour curves (prog, indie, batcave, country) blended over the original',
};
