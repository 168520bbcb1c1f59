/**
 * Each graph's example: a fixed input and parameters that show what the graph does. The page
 * shows them as the catalogue's thumbnails and as each graph's starting form; the edge serves
 * exactly these (GET /examples/<graph>) without a token, so the page works with auth on and
 * never renders an arbitrary URL unsigned.
 */
export interface GraphExample {
  /** The output type; '' keeps the input's. */
  ext: string;
  /** The query, in order; `input` first when the graph has one. */
  params: ReadonlyArray<readonly [string, string]>;
}

/** The page's first view: a photo resized, with a visible effect, beside its original. */
export const FIRST_GRAPH = 'gradientmap';

const photo = 'files/mountains.png';

export const EXAMPLES: Readonly<Record<string, GraphExample>> = {
  canvas: { ext: 'png', params: [['width', '400'], ['height', '260'], ['color', '#2271b1ff']] },
  crop: { ext: 'jpg', params: [['input', photo], ['x', '120'], ['y', '240'], ['cropwidth', '560'], ['cropheight', '380']] },
  croprotate: { ext: 'jpg', params: [['input', 'files/gridbear.jpg'], ['degrees', '20'], ['x', '20'], ['y', '20'], ['cropwidth', '110'], ['cropheight', '110']] },
  customgrey: { ext: 'jpg', params: [['input', 'files/cmyk-color.jpg'], ['width', '400']] },
  delaunay_triangles: { ext: 'png', params: [['width', '400'], ['height', '260'], ['seed', 'imgflo']] },
  desaturate: { ext: 'jpg', params: [['input', photo], ['width', '400']] },
  enhancelowres: { ext: 'jpg', params: [['input', 'files/gridbear.jpg']] },
  gaussianblur: { ext: 'jpg', params: [['input', photo], ['width', '400'], ['std-dev-x', '6'], ['std-dev-y', '6']] },
  gradientmap: { ext: 'jpg', params: [['input', photo], ['width', '480'], ['color1', '#102a43ff'], ['color2', '#f0b429ff']] },
  halodarken: { ext: 'jpg', params: [['input', 'files/grid-toastybob.jpg'], ['width', '300']] },
  motionblur: { ext: 'jpg', params: [['input', photo], ['width', '400'], ['length', '40'], ['angle', '0']] },
  noop: { ext: '', params: [['input', 'files/time.gif']] },
  passthrough: { ext: 'png', params: [['input', 'files/happy-kitten.svg'], ['width', '300']] },
  resize: { ext: 'jpg', params: [['input', photo], ['width', '480'], ['height', '320']] },
  retro: { ext: 'jpg', params: [['input', photo], ['width', '400']] },
  thumbnail: { ext: 'jpg', params: [['input', 'files/cmyk-color.jpg'], ['size', '200']] },
  watermark: { ext: 'jpg', params: [['input', photo], ['width', '480'], ['overlay', 'files/happy-kitten.svg'], ['gravity', 'southeast'], ['opacity', '0.8'], ['scale', '0.3'], ['margin', '12']] },
};

/** A graph's example; a graph without one of its own shows its defaults on the bundled photo. */
export function exampleOf(graph: string, hasInput: boolean): GraphExample {
  return Object.hasOwn(EXAMPLES, graph) ? EXAMPLES[graph]! : { ext: 'jpg', params: hasInput ? [['input', photo], ['width', '400']] : [] };
}
