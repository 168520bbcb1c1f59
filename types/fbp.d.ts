declare module 'fbp' {
  const fbp: {
    parse(text: string, options?: { caseSensitive?: boolean }): unknown;
    serialize(graph: unknown): string;
  };
  export default fbp;
}
