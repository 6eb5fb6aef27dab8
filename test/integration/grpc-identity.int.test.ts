/**
 * What an attacker on the cluster network tries first: call a service's gRPC port directly. Only a
 * realm access token gets in; metadata that names a user or roles counts for nothing.
 */
import { ClientError, createChannel, createClient, Metadata, Status, type Channel } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { account as accountPb, lead as pb } from '@crm/proto';
import { api, claims, KEYCLOAK_URL, REALM, RUN, token, uniqueEmail, userId } from './support';

const LEAD_GRPC_ADDR = process.env.LEAD_GRPC_ADDR ?? '127.0.0.1:50051';
const ACCOUNT_GRPC_ADDR = process.env.ACCOUNT_GRPC_ADDR ?? '127.0.0.1:50052';

/** A client-credentials token of a service's own Keycloak client (development secret). */
async function serviceToken(clientId: string): Promise<string> {
  const res = await fetch(`${KEYCLOAK_URL}/realms/${REALM}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: `${clientId}-dev-secret`,
    }),
  });
  if (!res.ok) throw new Error(`token for ${clientId}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

const bearer = (t: string) => Metadata({ authorization: `Bearer ${t}`, 'x-request-id': `it-${RUN}` });

/** The status a call ends with: OK, or the gRPC code it failed with. */
const statusOf = (call: Promise<unknown>) =>
  call.then(
    () => 'OK',
    (err: unknown) => (err instanceof ClientError ? Status[err.code] : `not a gRPC error: ${String(err)}`),
  );

describe('gRPC identity: every call to a service carries a verified realm token', () => {
  let leadChannel: Channel;
  let accountChannel: Channel;
  let leads: ReturnType<typeof createClient<typeof pb.LeadServiceDefinition>>;
  let accounts: ReturnType<typeof createClient<typeof accountPb.AccountServiceDefinition>>;

  beforeAll(() => {
    leadChannel = createChannel(LEAD_GRPC_ADDR);
    accountChannel = createChannel(ACCOUNT_GRPC_ADDR);
    leads = createClient(pb.LeadServiceDefinition, leadChannel);
    accounts = createClient(accountPb.AccountServiceDefinition, accountChannel);
  });
  afterAll(() => {
    leadChannel.close();
    accountChannel.close();
  });

  it('refuses a call without a token (UNAUTHENTICATED)', async () => {
    expect(await statusOf(leads.listLeads({}))).toBe('UNAUTHENTICATED');
    expect(await statusOf(accounts.listAccounts({}))).toBe('UNAUTHENTICATED');
  });

  it('refuses a made-up admin in x-crm-* metadata (UNAUTHENTICATED), and the lead stays as it was', async () => {
    const created = await leads.createLead(
      {
        lead: pb.LeadInput.fromPartial({
          lastName: `Forged ${RUN}`,
          company: `Forge ${RUN}`,
          email: uniqueEmail('forged'),
        }),
      },
      { metadata: bearer(await token('rep1')) },
    );
    const forged = Metadata({
      'x-crm-user-id': 'attacker',
      'x-crm-username': 'attacker',
      'x-crm-roles': 'crm-admin',
      'x-crm-teams': 'sales-east',
    });
    expect(await statusOf(leads.listLeads({}, { metadata: forged }))).toBe('UNAUTHENTICATED');
    expect(
      await statusOf(
        leads.updateLead({ id: created.id, patch: { company: 'Hijacked' } }, { metadata: forged }),
      ),
    ).toBe('UNAUTHENTICATED');
    const res = await api('GET', `/api/v1/leads/${created.id}`, { as: 'rep1' });
    expect(res.body).toMatchObject({ company: `Forge ${RUN}`, updatedBy: await userId('rep1') });
  });

  it("refuses rep1's real token with its payload changed to crm-admin (the signature no longer fits)", async () => {
    const [header, , signature] = (await token('rep1')).split('.');
    const payload = { ...claims(await token('rep1')), realm_access: { roles: ['crm-admin'] } };
    const tampered = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    expect(await statusOf(leads.listLeads({}, { metadata: bearer(tampered) }))).toBe('UNAUTHENTICATED');
  });

  it("works with a user's real token, and the change records that user", async () => {
    const md = bearer(await token('rep1'));
    const created = await leads.createLead(
      {
        lead: pb.LeadInput.fromPartial({
          lastName: `Token ${RUN}`,
          company: `Bearer ${RUN}`,
          email: uniqueEmail('bearer'),
        }),
      },
      { metadata: md },
    );
    const updated = await leads.updateLead(
      { id: created.id, expectedVersion: created.version, patch: { company: 'Bearer GmbH' } },
      { metadata: md },
    );
    expect(updated.updated?.actorId).toBe(await userId('rep1'));
    const res = await api('GET', `/api/v1/leads/${created.id}`, { as: 'rep1' });
    expect(res.body).toMatchObject({ company: 'Bearer GmbH', updatedBy: await userId('rep1') });
  });

  it('refuses a real token of a role that does not work leads or accounts (PERMISSION_DENIED), past the gateway too', async () => {
    for (const user of ['agent', 'approver']) {
      const md = bearer(await token(user));
      const attempt = pb.LeadInput.fromPartial({ lastName: `Side door ${RUN}`, email: uniqueEmail(user) });
      expect(await statusOf(leads.createLead({ lead: attempt }, { metadata: md }))).toBe('PERMISSION_DENIED');
      expect(await statusOf(leads.listLeads({}, { metadata: md }))).toBe('PERMISSION_DENIED');
      expect(await statusOf(leads.getAssignmentRules({}, { metadata: md }))).toBe('PERMISSION_DENIED');
      expect(await statusOf(accounts.listAccounts({}, { metadata: md }))).toBe('PERMISSION_DENIED');
      expect(await statusOf(accounts.getTierRules({}, { metadata: md }))).toBe('PERMISSION_DENIED');
    }
    const found = await api('GET', `/api/v1/leads?q=${encodeURIComponent(`Side door ${RUN}`)}`, {
      as: 'admin',
    });
    expect(found.body.items).toEqual([]);
  });

  it('answers the health check without a token', async () => {
    const health = createClient(HealthDefinition, leadChannel);
    expect((await health.check({ service: '' })).status).toBe(1); // SERVING
  });

  it("takes a service's client-credentials token: the lead service may read accounts, as a resumed conversion does", async () => {
    const t = await serviceToken('crm-lead-service');
    expect(claims(t)).toMatchObject({ azp: 'crm-lead-service', aud: expect.arrayContaining(['crm-api']) });
    expect(await statusOf(accounts.listAccounts({}, { metadata: bearer(t) }))).toBe('OK');
  });
});
