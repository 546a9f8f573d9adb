import { manifestSchema, describeIssues } from '../../../lib/plan/schema.js';

describe('manifest schema', () => {
  it('applies the seed phases by default', () => {
    const m = manifestSchema.parse({ name: 'skin-similarity', version: '1.2.0', target: { environment: 'skin-dev' } });
    expect(m.phases.map((p) => p.name)).toEqual(['minimal', 'ml-dependencies', 'faiss-scin', 'verify-metrics']);
    expect(m.target).toEqual({ type: 'local', environment: 'skin-dev', memoryMb: 1024 });
  });
  it('names unknown fields', () => {
    const r = manifestSchema.safeParse({ name: 'a', version: '1', target: { environment: 'e' }, colour: 'red' });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssues(r.error)).toBe("unknown field 'colour'");
  });
});
