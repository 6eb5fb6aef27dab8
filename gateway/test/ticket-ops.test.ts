import { Status } from 'nice-grpc';
import { RichClientError } from 'nice-grpc-error-details';
import { serviceTicket as pb } from '@crm/proto';
import { json, jsonHeaders, startApp, type Harness } from './helpers';

const ticket = (over: Partial<pb.Ticket> = {}) =>
  pb.Ticket.fromPartial({
    id: 'T1',
    version: '4',
    accountId: 'A1',
    subject: 'Down',
    channel: 'email',
    priority: 'high',
    queue: 'support',
    status: 'open',
    ...over,
  });

let h: Harness;
let serviceTicket: Record<'mergeTicket' | 'bulkUpdateTickets', jest.Mock>;
let sla: Record<'getServiceSettings' | 'saveServiceSettings', jest.Mock>;
const settings = pb.ServiceSettings.fromPartial({
  version: '2',
  autoCloseDays: 7,
  reopenWindowDays: 30,
  confirmationLinkDays: 14,
  defaultWarnAtPercent: 80,
  updatedBy: 'u-supportlead',
  updatedAt: new Date('2026-12-01T06:00:00Z'),
});
beforeEach(async () => {
  serviceTicket = {
    mergeTicket: jest.fn(async () => ({
      duplicate: ticket({ id: 'T2', version: '5', status: 'closed', mergedIntoTicketId: 'T1' }),
      target: ticket({ mergedTickets: [{ ticketId: 'T2', mergedBy: 'u-agent', mergedAt: new Date() }] }),
    })),
    bulkUpdateTickets: jest.fn(async () => ({
      results: [
        { ticketId: 'T1', ok: true, version: '5', errorKind: '', message: '' },
        { ticketId: 'T9', ok: false, version: '0', errorKind: 'not-found', message: 'ticket T9 not found' },
        { ticketId: 'T3', ok: false, version: '0', errorKind: 'forbidden', message: 'not your queue' },
      ],
    })),
  };
  sla = {
    getServiceSettings: jest.fn(async () => settings),
    saveServiceSettings: jest.fn(async () => settings),
  };
  h = await startApp({ serviceTicket, sla });
});
afterEach(async () => {
  await h.close();
});

const post = (path: string, user: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/api/v1${path}`, {
    method: 'POST',
    headers: jsonHeaders(user, headers),
    body: JSON.stringify(body),
  });
const put = (path: string, user: string, body: unknown) =>
  fetch(`${h.url}/api/v1${path}`, { method: 'PUT', headers: jsonHeaders(user), body: JSON.stringify(body) });

describe('merging a duplicate through the gateway', () => {
  it('answers both tickets, the ETag of the duplicate, and passes If-Match on', async () => {
    const res = await post('/tickets/T2/merge', 'agent', { intoTicketId: 'T1' }, { 'If-Match': '"4"' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"5"');
    const body = await json(res);
    expect(body.duplicate).toMatchObject({ id: 'T2', status: 'closed', mergedIntoTicketId: 'T1' });
    expect(body.target.mergedTickets).toEqual([
      expect.objectContaining({ ticketId: 'T2', mergedBy: 'u-agent' }),
    ]);
    expect(serviceTicket.mergeTicket.mock.calls[0][0]).toEqual({
      id: 'T2',
      expectedVersion: '4',
      intoTicketId: 'T1',
    });
  });

  it('refuses a body without a target (400) and maps the service’s refusals', async () => {
    expect((await post('/tickets/T2/merge', 'agent', {})).status).toBe(400);
    serviceTicket.mergeTicket.mockRejectedValueOnce(
      new RichClientError('/x', Status.FAILED_PRECONDITION, 'a closed ticket takes no merge', []),
    );
    const closed = await post('/tickets/T2/merge', 'agent', { intoTicketId: 'T1' });
    expect(closed.status).toBe(409);
    expect(closed.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('bulk actions through the gateway', () => {
  it('reports each ticket with the status it alone would have answered', async () => {
    const res = await post('/tickets/bulk', 'supportlead', {
      action: 'add-tag',
      ticketIds: ['T1', 'T9', 'T3'],
      tag: 'outage',
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      items: [
        { id: 'T1', ok: true, version: 5, problem: null },
        {
          id: 'T9',
          ok: false,
          version: null,
          problem: { status: 404, code: 'not-found', detail: 'ticket T9 not found' },
        },
        {
          id: 'T3',
          ok: false,
          version: null,
          problem: { status: 403, code: 'forbidden', detail: 'not your queue' },
        },
      ],
      succeeded: 1,
      failed: 2,
    });
    expect(serviceTicket.bulkUpdateTickets.mock.calls[0][0]).toMatchObject({
      action: 'add-tag',
      tag: 'outage',
      assigneeId: '',
    });
  });

  it('refuses a request wrong as a whole with a 400 before asking the service', async () => {
    const tooMany = Array.from({ length: 201 }, (_, i) => `T${i}`);
    for (const body of [
      { action: 'delete', ticketIds: ['T1'] },
      { action: 'assign', ticketIds: ['T1'] },
      { action: 'add-tag', ticketIds: tooMany, tag: 'x' },
      { action: 'status', ticketIds: ['T1'], status: 'closed' },
    ])
      expect((await post('/tickets/bulk', 'supportlead', body)).status).toBe(400);
    expect(serviceTicket.bulkUpdateTickets).not.toHaveBeenCalled();
  });
});

describe('who may do what (authorization matrix)', () => {
  const bulk = { action: 'assign', ticketIds: ['T1'], assigneeId: 'u-agent' };
  const good = { autoCloseDays: 5, reopenWindowDays: 10, confirmationLinkDays: 14, defaultWarnAtPercent: 75 };
  const cases: [string, string, number, () => Promise<Response>][] = [
    ['agent', 'bulk', 403, () => post('/tickets/bulk', 'agent', bulk)],
    ['rep', 'bulk', 403, () => post('/tickets/bulk', 'rep', bulk)],
    ['supportlead', 'bulk', 200, () => post('/tickets/bulk', 'supportlead', bulk)],
    ['admin', 'bulk', 200, () => post('/tickets/bulk', 'admin', bulk)],
    ['rep', 'merge', 403, () => post('/tickets/T2/merge', 'rep', { intoTicketId: 'T1' })],
    ['agent', 'merge', 200, () => post('/tickets/T2/merge', 'agent', { intoTicketId: 'T1' })],
    [
      'agent',
      'read settings',
      200,
      () => fetch(`${h.url}/api/v1/service-settings`, { headers: jsonHeaders('agent') }),
    ],
    ['agent', 'save settings', 403, () => put('/service-settings', 'agent', good)],
    ['supportlead', 'save settings', 200, () => put('/service-settings', 'supportlead', good)],
    ['admin', 'save settings', 200, () => put('/service-settings', 'admin', good)],
  ];
  it.each(cases)('%s: %s answers %i', async (_who, _what, status, send) => {
    expect((await send()).status).toBe(status);
  });
});

describe('service settings through the gateway', () => {
  it('answers the settings with their version as ETag', async () => {
    const res = await fetch(`${h.url}/api/v1/service-settings`, { headers: jsonHeaders('agent') });
    expect(res.headers.get('etag')).toBe('"2"');
    expect(await json(res)).toMatchObject({
      autoCloseDays: 7,
      updatedBy: 'u-supportlead',
    });
  });

  it('refuses values out of range with a 400 naming them', async () => {
    const res = await put('/service-settings', 'supportlead', {
      autoCloseDays: 0,
      reopenWindowDays: 10,
      confirmationLinkDays: 14,
      defaultWarnAtPercent: 100,
    });
    expect(res.status).toBe(400);
    const fields = (await json(res)).errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['autoCloseDays', 'defaultWarnAtPercent']);
    expect(sla.saveServiceSettings).not.toHaveBeenCalled();
  });

  it('says tickets do not follow accounts when the service names no value, and passes a chosen one on', async () => {
    const res = await fetch(`${h.url}/api/v1/service-settings`, { headers: jsonHeaders('agent') });
    expect((await json(res)).followAccountTransfer).toBe('none');
    const good = {
      autoCloseDays: 5,
      reopenWindowDays: 10,
      confirmationLinkDays: 14,
      defaultWarnAtPercent: 75,
    };
    const wrong = await put('/service-settings', 'supportlead', { ...good, followAccountTransfer: 'owner' });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).errors.map((e: { field: string }) => e.field)).toEqual([
      'followAccountTransfer',
    ]);
    expect(sla.saveServiceSettings).not.toHaveBeenCalled();
    const saved = await put('/service-settings', 'supportlead', {
      ...good,
      followAccountTransfer: 'assignee',
    });
    expect(saved.status).toBe(200);
    expect(sla.saveServiceSettings.mock.calls[0][0].settings).toMatchObject({
      followAccountTransfer: 'assignee',
    });
  });
});
