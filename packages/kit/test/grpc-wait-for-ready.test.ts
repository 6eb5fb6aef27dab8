import { createServer, Status, type Server } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl } from 'nice-grpc-server-health';
import { serviceClient } from '../src/grpc-client';

/** grpc.health.v1 SERVING. */
const SERVING = 1;

async function healthServer(address: string): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.add(HealthDefinition, HealthServiceImpl());
  const port = await server.listen(address);
  return { server, port };
}

// A service restarts (a rollout, a crash): its callers' channels sit in reconnect backoff for up to
// two seconds. The first call after it is back must reach it, not fail with UNAVAILABLE.
describe('a call to a service that has just restarted', () => {
  it('waits for the channel to reconnect instead of failing during the backoff', async () => {
    const first = await healthServer('127.0.0.1:0');
    const port = first.port;
    let server = first.server;
    const { client, close } = serviceClient(HealthDefinition, `127.0.0.1:${port}`);
    try {
      expect((await client.check({ service: '' })).status).toBe(SERVING);

      await server.shutdown();
      // Away for good (for now): the call still fails, after the grace, and the channel is backing off.
      await expect(client.check({ service: '' })).rejects.toMatchObject({ code: Status.UNAVAILABLE });

      ({ server } = await healthServer(`127.0.0.1:${port}`));
      expect((await client.check({ service: '' })).status).toBe(SERVING);
    } finally {
      close();
      await server.shutdown();
    }
  }, 20_000);

  it('ends the wait at the call deadline', async () => {
    const { server, port } = await healthServer('127.0.0.1:0');
    await server.shutdown();
    const { client, close } = serviceClient(HealthDefinition, `127.0.0.1:${port}`);
    try {
      await expect(
        client.check({ service: '' }, { deadline: new Date(Date.now() + 300) }),
      ).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    } finally {
      close();
    }
  });
});
