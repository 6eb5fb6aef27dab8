/**
 * `npm run analytics:rebuild`: asks the running analytics service to rebuild its read models, as the
 * service's own Keycloak client (the same environment the service runs with: KEYCLOAK_URL,
 * KEYCLOAK_REALM, SERVICE_CLIENT_SECRET). Inside a pod: `node dist/rebuild-command.js`.
 */
import { serviceClient, ServiceIdentity, useServiceIdentity } from '@crm/kit';
import { analytics as pb } from '@crm/proto';

const CALL_DEADLINE_MS = 10_000;
/** How often it asks whether the rebuild is done. */
const POLL_MS = 1000;

async function main() {
  const env = process.env;
  const realm = `${env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180'}/realms/${env.KEYCLOAK_REALM ?? 'crm'}`;
  if (!env.SERVICE_CLIENT_SECRET)
    throw new Error('SERVICE_CLIENT_SECRET (of crm-analytics-service) is not set');
  useServiceIdentity(
    new ServiceIdentity({
      tokenUrl: `${realm}/protocol/openid-connect/token`,
      clientId: env.SERVICE_CLIENT_ID || 'crm-analytics-service',
      clientSecret: env.SERVICE_CLIENT_SECRET,
    }),
  );
  const address = env.ANALYTICS_GRPC_ADDR ?? `127.0.0.1:${env.GRPC_PORT ?? 50056}`;
  const { client, close } = serviceClient(pb.AnalyticsServiceDefinition, address);
  try {
    const deadline = () => ({ deadline: new Date(Date.now() + CALL_DEADLINE_MS) });
    let status = await client.rebuild({}, deadline());
    console.log(`analytics rebuild of generation ${status.generation} ${status.state}`);
    while (status.state === 'running') {
      await new Promise((r) => setTimeout(r, POLL_MS));
      status = await client.getRebuild({}, deadline());
    }
    if (status.state !== 'done') throw new Error(status.error || `state ${status.state}`);
    const ms = (status.finishedAt?.getTime() ?? 0) - (status.startedAt?.getTime() ?? 0);
    console.log(`analytics rebuilt: generation ${status.generation}, ${status.events} events in ${ms} ms`);
  } finally {
    close();
  }
}

main().catch((err: Error) => {
  console.error(`analytics rebuild failed: ${err.message}`);
  process.exitCode = 1;
});
