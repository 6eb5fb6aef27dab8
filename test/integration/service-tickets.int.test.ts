import { api, GATEWAY_URL, RUN, userId } from './support';

const PROBLEM = /^application\/problem\+json/;

let accountSeq = 0;
/** An account of rep1's: support serves it, rep1 reads its tickets, rep2 cannot see it. */
async function newAccount(): Promise<string> {
  accountSeq++;
  const res = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: {
      name: `Support customer ${RUN} ${accountSeq}`,
      website: `https://support-${RUN}-${accountSeq}.example.com`,
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function newTicket(json: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/tickets', {
    as: 'agent',
    json: {
      accountId: await newAccount(),
      subject: `Cannot log in ${RUN}`,
      description: 'Since this morning the SSO page loops.',
      channel: 'email',
      priority: 'high',
      tags: ['sso'],
      ...json,
    },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number; accountId: string; [k: string]: unknown };
}

const post = (path: string, json: unknown, as: 'agent' | 'rep1' | 'supportlead' = 'agent') =>
  api('POST', path, { as, json });

describe('service tickets (real Keycloak, real account and service-ticket services)', () => {
  it('an agent opens a ticket for an account the service confirms; recorded with who opened it', async () => {
    const t = await newTicket();
    expect(t).toMatchObject({
      status: 'new',
      queue: 'support',
      priority: 'high',
      createdBy: await userId('agent'),
    });
    const unknown = await api('POST', '/api/v1/tickets', {
      as: 'agent',
      json: { accountId: `nope-${RUN}`, subject: 'x', channel: 'web' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'accountId' })]);
  });

  it('a malformed ticket is a 400 problem naming each field, never a 500', async () => {
    const res = await api('POST', '/api/v1/tickets', {
      as: 'agent',
      json: { accountId: 'A1', subject: '', channel: 'fax', priority: 'asap', attachments: [{ name: 'x' }] },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['subject', 'channel', 'priority']));
  });

  it('a public reply records the first response; an internal note does not', async () => {
    const t = await newTicket();
    const note = await post(`/api/v1/tickets/${t.id}/comments`, {
      visibility: 'internal',
      body: 'Known SSO bug',
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ status: 'new', firstRespondedAt: null });
    const reply = await post(`/api/v1/tickets/${t.id}/comments`, {
      visibility: 'public',
      body: 'Looking into it',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.status).toBe('open');
    expect(Date.parse(reply.body.firstRespondedAt)).toBeGreaterThanOrEqual(Date.parse(t.createdAt as string));
    const again = await post(`/api/v1/tickets/${t.id}/comments`, {
      visibility: 'public',
      body: 'Still on it',
    });
    expect(again.body.firstRespondedAt).toBe(reply.body.firstRespondedAt);
  });

  it('closing before resolving is 409; resolve needs a resolution; close, then reopen', async () => {
    const t = await newTicket();
    const early = await post(`/api/v1/tickets/${t.id}/close`, {});
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toMatch(PROBLEM);
    const bare = await post(`/api/v1/tickets/${t.id}/resolve`, { resolution: '  ' });
    expect(bare.status).toBe(400);
    const resolved = await post(`/api/v1/tickets/${t.id}/resolve`, { resolution: 'Reset the SSO mapping' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'Reset the SSO mapping' });
    const closed = await post(`/api/v1/tickets/${t.id}/close`, {});
    expect(closed.body.status).toBe('closed');
    const reopened = await post(`/api/v1/tickets/${t.id}/reopen`, { reason: 'It loops again' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('open');
    expect(reopened.body.statusHistory.at(-1)).toMatchObject({
      fromStatus: 'closed',
      toStatus: 'open',
      note: 'It loops again',
    });
  });

  it('a stale If-Match is refused with 412, so two agents do not overwrite each other', async () => {
    const t = await newTicket();
    const first = await api('PATCH', `/api/v1/tickets/${t.id}`, {
      as: 'agent',
      json: { priority: 'urgent' },
      headers: { 'if-match': `"${t.version}"` },
    });
    expect(first.status).toBe(200);
    const second = await api('PATCH', `/api/v1/tickets/${t.id}`, {
      as: 'agent',
      json: { priority: 'low' },
      headers: { 'if-match': `"${t.version}"` },
    });
    expect(second.status).toBe(412);
  });

  it('escalation moves the ticket to a senior queue with the reason; the first-line agent no longer sees it', async () => {
    const t = await newTicket();
    const esc = await post(`/api/v1/tickets/${t.id}/escalate`, {
      reason: 'Needs a database fix',
      toQueue: 'tier-2',
    });
    expect(esc.status).toBe(200);
    expect(esc.body).toMatchObject({ level: 2, queue: 'tier-2', assigneeId: '' });
    expect(esc.body.escalations[0]).toMatchObject({
      reason: 'Needs a database fix',
      escalatedBy: await userId('agent'),
    });
    expect((await api('GET', `/api/v1/tickets/${t.id}`, { as: 'agent' })).status).toBe(404);
    const lead = await api('GET', `/api/v1/tickets?queue=tier-2`, { as: 'supportlead' });
    expect(lead.body.items.map((x: { id: string }) => x.id)).toContain(t.id);
  });

  it('sellers read the tickets of accounts they can see, and cannot work them', async () => {
    const t = await newTicket();
    expect((await api('GET', `/api/v1/tickets/${t.id}`, { as: 'rep1' })).status).toBe(200);
    expect((await api('GET', `/api/v1/tickets/${t.id}`, { as: 'rep2' })).status).toBe(404);
    const mine = await api('GET', `/api/v1/tickets?accountId=${t.accountId}`, { as: 'rep1' });
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([t.id]);
    expect((await api('GET', '/api/v1/tickets', { as: 'rep1' })).status).toBe(400);
    const reply = await post(
      `/api/v1/tickets/${t.id}/comments`,
      { visibility: 'public', body: 'hi' },
      'rep1',
    );
    expect(reply.status).toBe(403);
  });
});

/** Local hour and ISO weekday of a moment in a time zone (what the customer's office clock shows). */
function localClock(iso: string, timeZone: string): { hour: number; minute: number; weekday: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { hour: Number(get('hour')), minute: Number(get('minute')), weekday: get('weekday') };
}

describe('SLA of service tickets (business hours, durable timers)', () => {
  it('a high-priority ticket of a tier-A account gets both due times in business hours of the default calendar', async () => {
    const accountId = await newAccount();
    const tier = await api('PUT', `/api/v1/accounts/${accountId}/tier`, {
      as: 'admin',
      json: { tier: 'A', reason: 'Key customer' },
    });
    expect(tier.status).toBe(200);
    const t = (await newTicket({ accountId, priority: 'high' })) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(t.accountTier).toBe('A');
    expect(t.sla).toMatchObject({ policyId: 'default', state: 'ok', firstResponseBreached: false });
    // The default policy: high priority of a tier-A account, 2 business hours to respond and 8 to resolve,
    // in office hours (Mon-Fri 09:00-18:00 Asia/Shanghai).
    expect(t.sla.firstResponseRemainingMinutes).toBeGreaterThan(119);
    expect(t.sla.firstResponseRemainingMinutes).toBeLessThanOrEqual(120);
    expect(t.sla.resolutionRemainingMinutes).toBeGreaterThan(479);
    for (const due of [t.sla.firstResponseDueAt, t.sla.resolutionDueAt]) {
      const local = localClock(due, 'Asia/Shanghai');
      expect(['Mon', 'Tue', 'Wed', 'Thu', 'Fri']).toContain(local.weekday);
      expect(local.hour * 60 + local.minute).toBeGreaterThanOrEqual(9 * 60);
      expect(local.hour * 60 + local.minute).toBeLessThanOrEqual(18 * 60);
    }
    const reply = await post(`/api/v1/tickets/${t.id}/comments`, { visibility: 'public', body: 'On it' });
    expect(reply.body.sla.firstRespondedAt).toBe(reply.body.firstRespondedAt);
    expect(reply.body.sla.firstResponseRemainingMinutes).toBe(0);
  });

  it('only a support manager changes calendars and policies; a calendar in no time zone is a 400', async () => {
    const cal = {
      name: 'x',
      timeZone: 'Mars/Olympus',
      workingDays: [1],
      opensAt: '09:00',
      closesAt: '18:00',
    };
    expect((await api('PUT', `/api/v1/business-calendars/c-${RUN}`, { as: 'agent', json: cal })).status).toBe(
      403,
    );
    const bad = await api('PUT', `/api/v1/business-calendars/c-${RUN}`, { as: 'supportlead', json: cal });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'timeZone' })]);
  });
});

describe('the closed loop: the customer confirms through a signed, single-use link', () => {
  async function resolvedTicket() {
    const t = await newTicket();
    const res = await post(`/api/v1/tickets/${t.id}/resolve`, { resolution: 'Reset the SSO mapping' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('resolved');
    const url = new URL(res.body.customerConfirmationUrl);
    expect(url.pathname).toBe('/public/tickets/confirm');
    return { t, url, token: url.searchParams.get('token')! };
  }
  const answer = (json: unknown) =>
    fetch(`${GATEWAY_URL}/public/tickets/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });

  it('shows the page without login in English and Chinese, never with internal notes', async () => {
    const t = await newTicket();
    await post(`/api/v1/tickets/${t.id}/comments`, { visibility: 'internal', body: `secret-note-${RUN}` });
    const res = await post(`/api/v1/tickets/${t.id}/resolve`, { resolution: 'Reset the SSO mapping' });
    const link = res.body.customerConfirmationUrl as string;
    const en = await fetch(`${link}&lang=en`);
    expect(en.status).toBe(200);
    const html = await en.text();
    expect(html).toContain('Is your issue resolved?');
    expect(html).toContain('Reset the SSO mapping');
    expect(html).not.toContain(`secret-note-${RUN}`);
    const zh = await fetch(link, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(await zh.text()).toContain('您的问题解决了吗');
  });

  it('confirms once with CSAT 5: the ticket is closed with CSAT 5; the link cannot be reused or tampered with', async () => {
    const { t, token } = await resolvedTicket();
    const [head, body, sig = ''] = token.split('.');
    const forged = `${head}.${body}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    const tampered = await answer({ token: forged, decision: 'confirm', csatScore: 5 });
    expect(tampered.status).toBe(400);
    const ok = await answer({ token, decision: 'confirm', csatScore: 5, comment: 'Quick, thanks' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'closed', csatScore: 5 });
    const again = await answer({ token, decision: 'reject', csatScore: 1, comment: 'changed my mind' });
    expect(again.status).toBe(409);
    const stored = await api('GET', `/api/v1/tickets/${t.id}`, { as: 'agent' });
    expect(stored.body).toMatchObject({ status: 'closed', csatScore: 5, csatComment: 'Quick, thanks' });
    // Reopening within the window works.
    const reopened = await post(`/api/v1/tickets/${t.id}/reopen`, { reason: 'It loops again' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('open');
  });

  it('a rejection reopens the ticket with the customer comment; a bad score is a 400', async () => {
    const { t, token } = await resolvedTicket();
    expect((await answer({ token, decision: 'confirm', csatScore: 9 })).status).toBe(400);
    const no = await answer({ token, decision: 'reject', csatScore: 2, comment: 'Still loops on Safari' });
    expect(no.status).toBe(200);
    const stored = await api('GET', `/api/v1/tickets/${t.id}`, { as: 'agent' });
    expect(stored.body.status).toBe('open');
    expect(stored.body.statusHistory.at(-1)).toMatchObject({
      toStatus: 'open',
      note: 'Still loops on Safari',
    });
  });
});
