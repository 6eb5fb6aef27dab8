import { buildOpenApiDocument } from '../src/openapi';

type Param = { name: string; in: string; required?: boolean; description?: string };
type Doc = { paths: Record<string, Record<string, { parameters?: Param[] }>> };

describe('If-Match in the OpenAPI document', () => {
  const doc = buildOpenApiDocument() as Doc;
  const ifMatchOf = (path: string, method: string) =>
    doc.paths[path]?.[method]?.parameters?.find((p) => p.name === 'If-Match');

  it('is optional, and every PATCH says that without it the last writer wins field by field', () => {
    const patches = Object.entries(doc.paths).filter(([, ops]) => ops.patch);
    expect(patches.map(([path]) => path)).toEqual(
      expect.arrayContaining(['/api/v1/leads/{id}', '/api/v1/accounts/{id}', '/api/v1/contacts/{id}']),
    );
    for (const [path] of patches) {
      const p = ifMatchOf(path, 'patch');
      expect(p).toMatchObject({ in: 'header', required: false });
      expect(p?.description).toMatch(/^Optional.*last writer wins, field by field/);
    }
  });

  it('tells a PUT that without it the whole document is replaced', () => {
    expect(ifMatchOf('/api/v1/lead-assignment-rules', 'put')?.description).toMatch(
      /replaces the current document whatever its version/,
    );
  });
});
