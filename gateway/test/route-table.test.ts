import { request, type IncomingHttpHeaders } from 'node:http';
import { account as pb } from '@crm/proto';
import { operations } from '../src/api/operations';
import { auth, json, jsonHeaders, startApp, type Harness } from './helpers';

const PROBLEM = /^application\/problem\+json/;

const contact = (id: string) => pb.Contact.fromPartial({ id, version: '1', accountId: 'A1', lastName: 'Li' });

let h: Harness;
let account: { createContact: jest.Mock; listAccounts: jest.Mock };
beforeEach(async () => {
  account = {
    createContact: jest.fn(async () => contact('C1')),
    listAccounts: jest.fn(async () => ({ accounts: [], page: { nextCursor: '' } })),
  };
  h = await startApp({ account });
});
afterEach(async () => {
  await h.close();
});

/** fetch refuses TRACE; node:http sends any method. */
function raw(method: string, path: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.url}${path}`, { method, headers: auth('rep') }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the route table', () => {
  it('answers a known path with a wrong method with 405, Allow and a problem', async () => {
    const trace = await raw('TRACE', '/api/v1/leads/L1');
    expect(trace.status).toBe(405);
    expect(trace.headers['allow']).toBe('GET, PATCH, HEAD');
    expect(trace.headers['content-type']).toMatch(PROBLEM);
    for (const method of ['DELETE', 'PUT']) {
      const res = await fetch(`${h.url}/api/v1/leads/L1`, { method, headers: auth('rep') });
      expect(res.status).toBe(405);
      expect(res.headers.get('content-type')).toMatch(PROBLEM);
      expect(res.headers.get('allow')).toBe('GET, PATCH, HEAD');
      expect(await json(res)).toMatchObject({ status: 405, title: 'Method Not Allowed' });
    }
    const rules = await fetch(`${h.url}/api/v1/lead-scoring`, { method: 'POST', headers: auth('admin') });
    expect(rules.status).toBe(405);
    expect(rules.headers.get('allow')).toBe('GET, PUT, HEAD');
    expect((await raw('TRACE', '/api/v1/nothing-here')).status).toBe(404);
    const options = await fetch(`${h.url}/api/v1/leads`, { method: 'OPTIONS', headers: auth('rep') });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('POST, GET, HEAD');
  });

  it('does not take an empty id for the list: /accounts/ is a 404', async () => {
    const res = await fetch(`${h.url}/api/v1/accounts/`, { headers: auth('rep') });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect(account.listAccounts).not.toHaveBeenCalled();
  });

  it('gives every operation an id, a tag, a summary, a description and a role gate', () => {
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of operations) {
      expect(o.summary.length).toBeGreaterThan(0);
      expect(o.description.length).toBeGreaterThan(0);
      expect(o.tag).toBeDefined();
      expect(o.permission).toBeDefined();
    }
  });
});

describe('If-Match', () => {
  it('that can never match is a 412 before any call, on every operation taking it', async () => {
    for (const ifMatch of ['"abc"', '"", W/"2"']) {
      const res = await fetch(`${h.url}/api/v1/leads/L1/status`, {
        method: 'POST',
        headers: jsonHeaders('rep', { 'if-match': ifMatch }),
        body: '{"status":"working"}',
      });
      expect(res.status).toBe(412);
      expect(res.headers.get('content-type')).toMatch(PROBLEM);
    }
    expect(h.client.changeLeadStatus).not.toHaveBeenCalled();
  });
});

describe('numbers a service keeps in 32 bits', () => {
  it('are bounded in the schema, so a huge one is a 400 and not a failed call', async () => {
    const tierRules = await fetch(`${h.url}/api/v1/account-tier-rules`, {
      method: 'PUT',
      headers: jsonHeaders('admin'),
      body: JSON.stringify({ rules: [{ id: 'big', tier: 'A', sizeMin: 19303561271 }] }),
    });
    expect(tierRules.status).toBe(400);
    expect((await json(tierRules)).errors[0].field).toBe('rules.0.sizeMin');
    const assignment = await fetch(`${h.url}/api/v1/lead-assignment-rules`, {
      method: 'PUT',
      headers: jsonHeaders('admin'),
      body: JSON.stringify({ rules: [{ id: 'r', maxOpenLeadsPerRep: 5205851986 }] }),
    });
    expect(assignment.status).toBe(400);
    expect(h.client.putAssignmentRules).not.toHaveBeenCalled();
  });
});

describe('contact creation', () => {
  const create = (key?: string) =>
    fetch(`${h.url}/api/v1/accounts/A1/contacts`, {
      method: 'POST',
      headers: jsonHeaders('rep', key ? { 'idempotency-key': key } : {}),
      body: JSON.stringify({ lastName: 'Li' }),
    });
  const keyOfCall = (i: number): string => account.createContact.mock.calls[i][0].creationKey;

  it('sends a creation key derived from the Idempotency-Key, so the service makes one contact per key', async () => {
    expect((await create('k-1')).status).toBe(201);
    await h.close();
    // Another gateway replica (a fresh in-memory replay store) still sends the same key.
    h = await startApp({ account });
    expect((await create('k-1')).status).toBe(201);
    expect((await create('k-2')).status).toBe(201);
    expect(keyOfCall(0)).not.toBe('');
    expect(keyOfCall(1)).toBe(keyOfCall(0));
    expect(keyOfCall(2)).not.toBe(keyOfCall(0));
  });

  it('without an Idempotency-Key sends a fresh creation key each time', async () => {
    await create();
    await create();
    expect(keyOfCall(0)).not.toBe('');
    expect(keyOfCall(1)).not.toBe(keyOfCall(0));
  });
});
