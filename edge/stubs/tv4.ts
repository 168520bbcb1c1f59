// The fbp parser loads tv4 only to validate against its JSON schema, which the service never
// asks for (graphs are validated against the component library instead).
export function validateMultiple(): never {
  throw new Error('fbp schema validation is not available at the edge');
}
