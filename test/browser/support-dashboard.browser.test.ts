import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { api, GATEWAY_URL, RUN, userId } from '../integration/support';
import { launch, screenshot, signedIn } from './console-browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// A queue of this run's own, so the figures asserted are this test's tickets and nothing else.
const queue = `dash-${RUN}`;

/** Polls until `done` holds (the read model is eventually consistent); fails after `withinMs`. */
async function eventually(what: string, done: () => Promise<boolean>, withinMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await done())) {
    if (Date.now() - started > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const figure = async (path: string) => {
  const res = await api('GET', `/api/v1/analytics/service/${path}?queue=${queue}`, { as: 'agent' });
  expect(res.status).toBe(200);
  return res.body.rows as Record<string, unknown>[];
};

/**
 * In this run's queue (the agent a member): one urgent ticket left open, and one resolved that the
 * customer confirmed through the link, rating it 4.
 */
async function ticketsInQueue(): Promise<{ open: string; done: string }> {
  const saved = await api('PUT', `/api/v1/queues/${queue}`, {
    as: 'supportlead',
    json: { name: `Dashboard ${RUN}`, members: [{ userId: await userId('agent') }] },
  });
  expect(saved.status).toBe(200);
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `Support dashboard ${RUN}`, website: `https://support-dashboard-${RUN}.example.com` },
  });
  expect(account.status).toBe(201);
  const ticket = async (subject: string, priority: string) => {
    const res = await api('POST', '/api/v1/tickets', {
      as: 'agent',
      json: { accountId: account.body.id, subject, channel: 'web', priority, queue },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const open = `Dashboard open ${RUN}`;
  const done = `Dashboard done ${RUN}`;
  await ticket(open, 'urgent');
  const doneId = await ticket(done, 'normal');
  const resolved = await api('POST', `/api/v1/tickets/${doneId}/resolve`, {
    as: 'agent',
    json: { resolution: 'Cleared the cache' },
  });
  expect(resolved.status).toBe(200);
  const link = new URL(resolved.body.customerConfirmationUrl);
  const confirmed = await fetch(`${GATEWAY_URL}/public/tickets/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: link.searchParams.get('token'), decision: 'confirm', csatScore: 4 }),
  });
  expect(confirmed.status).toBe(200);
  return { open, done };
}

describe('the support dashboard', () => {
  it('shows the real backlog, SLA and satisfaction of a queue, downloads them, drills down to the tickets behind a bar, and reads in Chinese', async () => {
    const subjects = await ticketsInQueue();
    await eventually('the backlog and CSAT of the queue', async () => {
      const [backlog, csat] = await Promise.all([figure('backlog'), figure('csat')]);
      return backlog.length === 1 && csat.some((r) => r.dimension === 'all' && r.rated === 1);
    });

    // The filter comes through the URL, as a bookmark would bring it.
    const page = await signedIn(browser, 'agent', 'en-US', `/dashboards/support?queue=${queue}`);
    await page.getByRole('heading', { name: 'Support dashboard' }).waitFor();
    const backlog = page.getByTestId('support-backlog');
    await backlog.getByTestId('backlog-total').filter({ hasText: '1 open ticket, 0 unassigned' }).waitFor();
    await backlog.getByText('Urgent: 1').waitFor();
    const bar = backlog.locator(`[data-testid="backlog-bar"][data-queue="${queue}"][data-status="new"]`);
    await bar.waitFor();
    const csat = page.getByTestId('support-csat');
    await csat.getByTestId('csat-average').filter({ hasText: 'Average 4 of 5 from 1 answer' }).waitFor();
    await csat
      .getByTestId('csat-by')
      .getByRole('row', { name: new RegExp(`${queue}\\s+1\\s+4`) })
      .waitFor();
    // Resolved and confirmed within its target: the one resolution measured was on time.
    await page.getByTestId('sla-resolution').getByText('100%').waitFor();
    await page.getByTestId('support-resolution').getByRole('cell', { name: 'Normal' }).waitFor();
    await screenshot(page, 'dashboard-support-en');

    const csv = page.waitForEvent('download');
    await backlog.getByRole('button', { name: 'CSV' }).click();
    const csvFile = await csv;
    expect(csvFile.suggestedFilename()).toBe('service-backlog.csv');
    const text = fs.readFileSync((await csvFile.path())!, 'utf8');
    expect(text).toMatch(/queue,priority,status,tickets,unassigned/);
    expect(text).toContain(`${queue},urgent,new,1,0`);
    const xlsx = page.waitForEvent('download');
    await csat.getByRole('button', { name: 'XLSX' }).click();
    const xlsxFile = await xlsx;
    expect(xlsxFile.suggestedFilename()).toBe('service-csat.xlsx');
    // A workbook is a zip archive.
    expect(
      fs
        .readFileSync((await xlsxFile.path())!)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    await bar.click();
    await page.getByRole('heading', { name: 'Ticket queue' }).waitFor();
    const drilled = new URL(page.url());
    expect(drilled.pathname).toBe('/queue');
    expect(Object.fromEntries(drilled.searchParams)).toEqual({ view: 'queues', queue, status: 'new' });
    await page.getByTestId('queue-row').filter({ hasText: subjects.open }).waitFor();
    expect(await page.getByTestId('queue-row').count()).toBe(1);
    await screenshot(page, 'dashboard-support-drill-down');

    // The link holds on its own: opened again (as a bookmark), it shows the same ticket.
    await page.reload();
    await page.getByTestId('queue-row').filter({ hasText: subjects.open }).waitFor();

    await page.goto(`${GATEWAY_URL}/dashboards/support?queue=${queue}`);
    await page.getByTestId('language-switch').getByText('中文').click();
    await page.getByRole('heading', { name: '客服仪表盘' }).waitFor();
    await page.getByTestId('support-backlog').getByRole('heading', { name: '待办工单' }).waitFor();
    await page.getByTestId('backlog-total').filter({ hasText: '1 张未结工单，0 张未分配' }).waitFor();
    await screenshot(page, 'dashboard-support-zh');
    await page.context().close();
  }, 90_000); // the read model may take seconds to show the new tickets

  it('is offered to support staff and admins, not to a sales rep, whom the figures refuse', async () => {
    const refused = await api('GET', '/api/v1/analytics/service/backlog', { as: 'rep1' });
    expect(refused.status).toBe(403);
    const page = await signedIn(browser, 'rep1', 'en-US', '/leads');
    await page.getByRole('link', { name: 'Sales dashboard' }).waitFor();
    expect(await page.getByRole('link', { name: 'Support dashboard' }).count()).toBe(0);
    await page.context().close();
    const admin = await signedIn(browser, 'admin', 'en-US', '/leads');
    await admin.getByRole('link', { name: 'Support dashboard' }).click();
    await admin.getByRole('heading', { name: 'Support dashboard' }).waitFor();
    await admin.getByTestId('support-backlog').getByRole('heading', { name: 'Backlog' }).waitFor();
    await admin.context().close();
  }, 60_000);
});
