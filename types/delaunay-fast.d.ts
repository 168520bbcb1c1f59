declare module 'delaunay-fast' {
  /** The triangles of `vertices`, as a flat list of vertex indices (three a triangle). */
  const Delaunay: { triangulate(vertices: ReadonlyArray<readonly [number, number]>): number[] };
  export default Delaunay;
}
