import { credentials, makeGenericClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { FileDescriptorProto } from 'google-protobuf/google/protobuf/descriptor_pb';
import { ServerReflectionService } from 'nice-grpc-server-reflection';
import {
  ServerReflectionRequest,
  ServerReflectionResponse,
} from 'nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb';
import { descriptorSet } from '@crm/proto';
import { createGrpcServer, createLogger, InvalidTokenError } from '../src';

const server = (reflection?: boolean) =>
  createGrpcServer({
    logger: createLogger('reflection-test', 'silent'),
    maxCallMs: 5000,
    descriptorSet: descriptorSet(),
    // Reflection answers without a token: no token is ever valid here.
    verifyToken: () => Promise.reject(new InvalidTokenError('no tokens in this test')),
    reflection,
  });

// What grpcurl does before calling a method: ask reflection for the file that defines the service.
describe('gRPC server reflection', () => {
  const host = server();
  const closed = server(false);
  let port: number;
  let closedPort: number;

  beforeAll(async () => {
    host.finish([]);
    closed.finish([]);
    port = await host.plain.listen('127.0.0.1:0');
    closedPort = await closed.plain.listen('127.0.0.1:0');
  });

  afterAll(() => Promise.all([host.plain.shutdown(), closed.plain.shutdown()]));

  const ask = (symbol: string, at = port) =>
    new Promise<ServerReflectionResponse>((resolve, reject) => {
      const Client = makeGenericClientConstructor(
        ServerReflectionService as unknown as ServiceDefinition,
        'ServerReflection',
      );
      const client = new Client(`127.0.0.1:${at}`, credentials.createInsecure());
      const call = client.makeBidiStreamRequest(
        '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        (r: ServerReflectionRequest) => Buffer.from(r.serializeBinary()),
        (b: Buffer) => ServerReflectionResponse.deserializeBinary(b),
      );
      call.once('data', (res: ServerReflectionResponse) => {
        call.end();
        client.close();
        resolve(res);
      });
      call.once('error', reject);
      call.write(new ServerReflectionRequest().setFileContainingSymbol(symbol));
    });

  it('returns the file that defines grpc.health.v1.Health, so grpcurl can call Health/Check', async () => {
    const res = await ask('grpc.health.v1.Health');
    expect(res.getErrorResponse()?.getErrorMessage()).toBeUndefined();
    const files = res
      .getFileDescriptorResponse()!
      .getFileDescriptorProtoList_asU8()
      .map((b) => FileDescriptorProto.deserializeBinary(b));
    const health = files.find((f) => f.getPackage() === 'grpc.health.v1');
    const services = health?.getServiceList() ?? [];
    expect(services.map((s) => s.getName())).toEqual(['Health']);
    expect(services[0]?.getMethodList().map((m) => m.getName())).toEqual(['Check', 'Watch']);
  });

  it('is not served when switched off (GRPC_REFLECTION=false)', async () => {
    await expect(ask('grpc.health.v1.Health', closedPort)).rejects.toThrow(/UNIMPLEMENTED/);
  });
});
