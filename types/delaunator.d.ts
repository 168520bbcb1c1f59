declare module 'delaunator' {
  export default class Delaunator<P> {
    static from(points: ArrayLike<P>, getX?: (p: P) => number, getY?: (p: P) => number): Delaunator<P>;
    triangles: Uint32Array;
    coords: ArrayLike<number>;
  }
}
