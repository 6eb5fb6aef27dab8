/**
 * Guards the generated output and the contract rules:
 * - every .proto under <repo>/proto has generated TypeScript and is in the descriptor set, with the
 *   vendored gRPC health protocol (reflection clients must find grpc.health.v1.Health);
 * - the descriptor set matches a fresh protoc run (i.e. `npm run generate` is not stale);
 * - every message, field, enum, enum value, service and rpc has a leading comment;
 * - every enum starts with <NAME>_UNSPECIFIED = 0.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorSetSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { descriptorSet, descriptorSetPath } from '../src';

const pkgDir = resolve(__dirname, '..');
const protoDir = resolve(pkgDir, '..', '..', 'proto');
const vendorDir = resolve(pkgDir, 'vendor');

function listProtos(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return listProtos(p, root);
    return e.name.endsWith('.proto') ? [relative(root, p).split('\\').join('/')] : [];
  });
}

function hasProtoc(): boolean {
  try {
    execFileSync('protoc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const protos = listProtos(protoDir).sort();
const vendored = listProtos(vendorDir).sort();
const set = fromBinary(FileDescriptorSetSchema, descriptorSet());
const ownFiles = set.file.filter((f) => protos.includes(f.name));

describe('generated output', () => {
  it('exists for every proto file', () => {
    expect(protos.length).toBeGreaterThan(0);
    for (const p of protos) {
      expect(existsSync(join(pkgDir, 'src', 'gen', p.replace(/\.proto$/, '.ts')))).toBe(true);
    }
    expect(ownFiles.map((f) => f.name).sort()).toEqual(protos);
  });

  it('describes the gRPC health service, which every service serves', () => {
    const health = set.file.find((f) => f.name === 'grpc/health/v1/health.proto');
    expect(health?.service.map((s) => `${health.package}.${s.name}`)).toEqual(['grpc.health.v1.Health']);
  });

  (hasProtoc() ? it : it.skip)('descriptor set matches a fresh protoc run (run npm run generate)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'crm-proto-'));
    try {
      const out = join(tmp, 'crm.binpb');
      execFileSync(
        'protoc',
        [
          '-I',
          protoDir,
          '-I',
          vendorDir,
          '-I',
          process.env['PROTOC_INCLUDE'] ?? '/usr/include',
          `--descriptor_set_out=${out}`,
          '--include_imports',
          '--include_source_info',
          ...protos,
          ...vendored,
        ],
        { cwd: protoDir },
      );
      expect(readFileSync(out).equals(readFileSync(descriptorSetPath))).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('contract rules', () => {
  function undocumented(file: FileDescriptorProto): string[] {
    const commented = new Set(
      (file.sourceCodeInfo?.location ?? [])
        .filter((l) => (l.leadingComments ?? '').trim() !== '')
        .map((l) => l.path.join('.')),
    );
    const missing: string[] = [];
    const need = (path: number[], what: string): void => {
      if (!commented.has(path.join('.'))) missing.push(`${file.name}: ${what}`);
    };
    const walkEnum = (e: EnumDescriptorProto, path: number[], scope: string): void => {
      need(path, `enum ${scope}${e.name}`);
      e.value.forEach((v, i) => need([...path, 2, i], `enum value ${v.name}`));
    };
    const walkMessage = (m: DescriptorProto, path: number[], scope: string): void => {
      if (m.options?.mapEntry) return;
      const name = `${scope}${m.name}`;
      need(path, `message ${name}`);
      m.field.forEach((f, i) => need([...path, 2, i], `field ${name}.${f.name}`));
      m.nestedType.forEach((n, i) => walkMessage(n, [...path, 3, i], `${name}.`));
      m.enumType.forEach((e, i) => walkEnum(e, [...path, 4, i], `${name}.`));
    };
    file.messageType.forEach((m, i) => walkMessage(m, [4, i], ''));
    file.enumType.forEach((e, i) => walkEnum(e, [5, i], ''));
    file.service.forEach((s, i) => {
      need([6, i], `service ${s.name}`);
      s.method.forEach((m, j) => need([6, i, 2, j], `rpc ${s.name}.${m.name}`));
    });
    return missing;
  }

  it('documents every message, field, enum value, service and rpc', () => {
    expect(ownFiles.flatMap(undocumented)).toEqual([]);
  });

  it('uses versioned packages', () => {
    for (const f of ownFiles) expect(f.package).toMatch(/^crm\.[a-z_]+\.v\d+$/);
  });

  it('starts every enum with <NAME>_UNSPECIFIED = 0', () => {
    const enums = ownFiles.flatMap((f) => [...f.enumType, ...f.messageType.flatMap((m) => m.enumType)]);
    for (const e of enums) {
      const prefix = e.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
      expect({ enum: e.name, first: e.value[0]?.name, number: e.value[0]?.number }).toEqual({
        enum: e.name,
        first: `${prefix}_UNSPECIFIED`,
        number: 0,
      });
    }
  });
});
