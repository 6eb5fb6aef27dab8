import { serviceTicketQueues as pb } from '@crm/proto';
import { auth, json, jsonHeaders, startApp, type Harness } from './helpers';

const sample = (over: Partial<pb.Queue> = {}) =>
  pb.Queue.fromPartial({
    key: 'billing',
    version: '2',
    name: 'Billing',
    members: [{ userId: 'u-agent', availability: 'available' }],
    assignmentMethod: 'round-robin',
    active: true,
    ...over,
  });
const rules = pb.AssignmentRules.fromPartial({ version: '4', defaultQueue: 'support' });

let h: Harness;
let queues: Record<
  'listQueues' | 'getQueue' | 'saveQueue' | 'setAvailability' | 'getAssignmentRules' | 'saveAssignmentRules',
  jest.Mock
>;
beforeEach(async () => {
  queues = {
    listQueues: jest.fn(async () => ({ queues: [sample()] })),
    getQueue: jest.fn(async () => sample()),
    saveQueue: jest.fn(async () => sample()),
    setAvailability: jest.fn(async () => sample()),
    getAssignmentRules: jest.fn(async () => rules),
    saveAssignmentRules: jest.fn(async () => rules),
  };
  h = await startApp({ queues, users: [{ id: 'u-agent' }, { id: 'u-supportlead' }] });
});
afterEach(async () => {
  await h.close();
});

const put = (path: string, user: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/api/v1${path}`, {
    method: 'PUT',
    headers: jsonHeaders(user, headers),
    body: JSON.stringify(body),
  });
const billing = { name: 'Billing', members: [{ userId: 'u-agent' }], assignmentMethod: 'least-loaded' };
const billingRules = {
  rules: [{ name: 'Key billing', when: { categories: ['billing'], tiers: ['A'] }, queue: 'billing' }],
};

describe('queues and assignment rules through the gateway', () => {
  it('who may do what: agents read and set availability, support managers and admins manage, sellers nothing', async () => {
    let user = '';
    const matrix: Record<string, [() => Promise<Response>, Record<string, number>]> = {
      'GET /queues': [
        () => fetch(`${h.url}/api/v1/queues`, { headers: auth(user) }),
        { agent: 200, supportlead: 200, admin: 200, rep: 403, manager: 403 },
      ],
      'PUT /queues/billing': [
        () => put('/queues/billing', user, billing),
        { agent: 403, supportlead: 200, admin: 200, rep: 403, manager: 403 },
      ],
      'PUT /queues/billing/availability': [
        () => put('/queues/billing/availability', user, { availability: 'away' }),
        { agent: 200, supportlead: 200, rep: 403 },
      ],
      'GET /assignment-rules': [
        () => fetch(`${h.url}/api/v1/assignment-rules`, { headers: auth(user) }),
        { agent: 200, supportlead: 200, rep: 403 },
      ],
      'PUT /assignment-rules': [
        () => put('/assignment-rules', user, billingRules),
        { agent: 403, supportlead: 200, admin: 200, rep: 403, manager: 403 },
      ],
    };
    const seen: Record<string, Record<string, number>> = {};
    const want: Record<string, Record<string, number>> = {};
    for (const [name, [send, expected]] of Object.entries(matrix)) {
      want[name] = expected;
      seen[name] = {};
      for (const u of Object.keys(expected)) {
        user = u;
        seen[name]![u] = (await send()).status;
      }
    }
    expect(seen).toEqual(want);
  });

  it('saves a queue with its key, If-Match and members whose availability is left as it is', async () => {
    const res = await put('/queues/billing', 'supportlead', billing, { 'if-match': '"2"' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(queues.saveQueue.mock.calls[0][0]).toMatchObject({
      expectedVersion: '2',
      queue: {
        key: 'billing',
        members: [{ userId: 'u-agent', availability: '' }],
        assignmentMethod: 'least-loaded',
        seniorQueue: '',
        active: true,
      },
    });
  });

  it('refuses members who are not users of the realm, and a bad method, with a 400 naming them', async () => {
    const strangers = await put('/queues/billing', 'supportlead', {
      ...billing,
      members: [{ userId: 'u-agent' }, { userId: 'u-nobody' }],
      managerId: 'u-ghost',
    });
    expect(strangers.status).toBe(400);
    expect((await json(strangers)).errors).toEqual([
      { field: 'members[1].userId', message: 'is not a user' },
      { field: 'managerId', message: 'is not a user' },
    ]);
    const method = await put('/queues/billing', 'supportlead', { ...billing, assignmentMethod: 'random' });
    expect(method.status).toBe(400);
    expect(queues.saveQueue).not.toHaveBeenCalled();
  });

  it('refuses rules with an unknown tier or channel before asking the service', async () => {
    const res = await put('/assignment-rules', 'admin', {
      rules: [{ name: 'x', when: { tiers: ['Z'], channels: ['fax'] }, queue: 'billing' }],
    });
    expect(res.status).toBe(400);
    expect(queues.saveAssignmentRules).not.toHaveBeenCalled();
    const ok = await put('/assignment-rules', 'admin', billingRules);
    expect(ok.status).toBe(200);
    expect(queues.saveAssignmentRules.mock.calls[0][0]).toMatchObject({
      rules: {
        defaultQueue: 'support',
        rules: [
          { queue: 'billing', when: { categories: ['billing'], tiers: ['A'], channels: [], priorities: [] } },
        ],
      },
    });
  });
});
