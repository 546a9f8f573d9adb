// asl-validator ships its types at a path its package.json does not point NodeNext resolution to.
declare module 'asl-validator' {
  const validator: (definition: unknown, options?: unknown) => { isValid: boolean; errors: unknown[] };
  export default validator;
}
