/** The catalogue the original imgflo served: every one of these must be served. */
export const ORIGINAL_GRAPHS = [
  'canvas',
  'crop',
  'croprotate',
  'customgrey',
  'delaunay_triangles',
  'desaturate',
  'enhancelowres',
  'gaussianblur',
  'gradientmap',
  'halodarken',
  'motionblur',
  'noop',
  'passthrough',
  'retro',
];
