import { Status } from 'nice-grpc';
import { RichClientError } from 'nice-grpc-error-details';
import { serviceTicket as pb } from '@crm/proto';
import { auth, json, jsonHeaders, startApp, type Harness } from './helpers';

const sample = (over: Partial<pb.Ticket> = {}) =>
  pb.Ticket.fromPartial({
    id: 'T1',
    version: '3',
    accountId: 'A1',
    subject: 'Cannot log in',
    channel: 'email',
    priority: 'high',
    queue: 'support',
    status: 'open',
    attachments: [{ name: 'screen.png', sizeBytes: '2048', contentType: 'image/png' }],
    comments: [{ id: 'C1', visibility: 'internal', body: 'VIP', authorId: 'u-agent' }],
    ...over,
  });

let h: Harness;
let serviceTicket: Record<'createTicket' | 'listTickets' | 'closeTicket' | 'addComment', jest.Mock>;
beforeEach(async () => {
  serviceTicket = {
    createTicket: jest.fn(async () => sample()),
    listTickets: jest.fn(async () => ({ tickets: [sample()], nextCursor: '' })),
    closeTicket: jest.fn(),
    addComment: jest.fn(async () => sample()),
  };
  h = await startApp({ serviceTicket });
});
afterEach(async () => {
  await h.close();
});

describe('tickets through the gateway', () => {
  it('opens a ticket, sending lists with their "set" flag, and answers it with an ETag', async () => {
    const res = await fetch(`${h.url}/api/v1/tickets`, {
      method: 'POST',
      headers: jsonHeaders('agent'),
      body: JSON.stringify({
        accountId: 'A1',
        subject: 'Cannot log in',
        channel: 'email',
        priority: 'high',
        attachments: [{ name: 'screen.png', sizeBytes: 2048, contentType: 'image/png' }],
      }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"3"');
    expect(res.headers.get('location')).toBe('/api/v1/tickets/T1');
    expect(await json(res)).toMatchObject({ id: 'T1', attachments: [{ sizeBytes: 2048 }], status: 'open' });
    expect(serviceTicket.createTicket.mock.calls[0][0]).toMatchObject({
      fields: { accountId: 'A1', setAttachments: true, setTags: false, attachments: [{ sizeBytes: '2048' }] },
      queue: '',
    });
  });

  it('refuses a malformed ticket with a 400 naming the fields, before asking the service', async () => {
    const res = await fetch(`${h.url}/api/v1/tickets`, {
      method: 'POST',
      headers: jsonHeaders('agent'),
      body: JSON.stringify({ accountId: 'A1', subject: '', channel: 'fax', priority: 'asap' }),
    });
    expect(res.status).toBe(400);
    const fields = (await json(res)).errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['channel', 'priority', 'subject']);
    expect(serviceTicket.createTicket).not.toHaveBeenCalled();
  });

  it('answers closing a ticket that is not resolved with a 409', async () => {
    serviceTicket.closeTicket.mockRejectedValueOnce(
      new RichClientError(
        '/x',
        Status.FAILED_PRECONDITION,
        'a open ticket cannot be closed: resolve it first',
        [],
      ),
    );
    const res = await fetch(`${h.url}/api/v1/tickets/T1/close`, {
      method: 'POST',
      headers: jsonHeaders('agent'),
      body: '{}',
    });
    expect(res.status).toBe(409);
    expect(serviceTicket.closeTicket.mock.calls[0][0]).toEqual({ id: 'T1', expectedVersion: '0' });
  });

  it('lets sellers read but not work tickets, and lists my tickets with assigneeId=me', async () => {
    const write = await fetch(`${h.url}/api/v1/tickets/T1/comments`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ visibility: 'public', body: 'hi' }),
    });
    expect(write.status).toBe(403);
    expect(serviceTicket.addComment).not.toHaveBeenCalled();
    const list = await fetch(`${h.url}/api/v1/tickets?assigneeId=me&status=open`, { headers: auth('agent') });
    expect(list.status).toBe(200);
    expect(serviceTicket.listTickets.mock.calls[0][0]).toMatchObject({
      assigneeId: 'u-agent',
      status: 'open',
    });
  });
});
