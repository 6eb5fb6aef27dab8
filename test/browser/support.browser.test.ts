import type { Browser } from 'playwright-core';
import { api, RUN } from '../integration/support';
import { launch, screenshot, signedIn } from './console-browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A ticket the agent has taken, for a new account of rep1's. */
async function takenTicket(subject: string, priority: string): Promise<string> {
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: {
      name: `Console support ${subject}`,
      website: `https://${subject.replace(/\W+/g, '-')}.example.com`,
    },
  });
  expect(account.status).toBe(201);
  const ticket = await api('POST', '/api/v1/tickets', {
    as: 'agent',
    json: {
      accountId: account.body.id,
      subject,
      description: 'The export stops at 10%.',
      channel: 'web',
      priority,
    },
  });
  expect(ticket.status).toBe(201);
  const taken = await api('POST', `/api/v1/tickets/${ticket.body.id}/assign`, { as: 'agent', json: {} });
  expect(taken.status).toBe(200);
  return ticket.body.id as string;
}

describe('the support screens of the console', () => {
  it('an agent finds a ticket in their queue, replies and resolves it; the customer confirms through the link; the agent sees it closed, in English and in Chinese', async () => {
    const calm = `Invoice address ${RUN}`;
    await takenTicket(calm, 'low');
    const subject = `Export stuck ${RUN}`;
    const id = await takenTicket(subject, 'urgent');

    const page = await signedIn(browser, 'agent');
    // Support staff land in their queue, nearest SLA due first: the urgent ticket before the low one,
    // though it was opened later.
    const row = page.getByTestId('queue-row').filter({ hasText: subject });
    await row.waitFor();
    await row.getByText('Urgent').waitFor();
    await page.getByTestId('queue-row').filter({ hasText: calm }).waitFor();
    const order = await page.getByTestId('queue-row').allInnerTexts();
    const at = (text: string) => order.findIndex((r) => r.includes(text));
    expect(at(subject)).toBeLessThan(at(calm));
    await expect(row.locator('[data-sla]').first().getAttribute('data-sla')).resolves.toMatch(
      /^(ok|warning|critical|breached)$/,
    );
    await screenshot(page, 'queue-en');

    await row.getByRole('link', { name: subject }).click();
    await page.getByTestId('ticket-subject').filter({ hasText: subject }).waitFor();
    await page.getByTestId('ticket-status').filter({ hasText: 'New' }).waitFor();
    // Both SLA due times, as the service computed them in business hours.
    const due = await page.getByTestId('ticket-due').innerText();
    expect(due).toMatch(/^Response due .*\d.* · resolution due .*\d.* \(business hours\)$/);
    // The agent may not read accounts, yet sees the account's name beside the ticket.
    await page
      .getByTestId('ticket-account-name')
      .filter({ hasText: `Console support ${subject}` })
      .waitFor();

    await page.getByLabel('Message').fill('We restarted the export worker; please try again.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByTestId('ticket-timeline').getByText('We restarted the export worker').waitFor();

    await page.getByRole('button', { name: 'Resolve' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Resolution').fill('Export worker restarted; the export completes.');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('[data-testid="ticket-status"][data-status="resolved"]').waitFor();

    // The customer confirms through the link, without signing in (a browser context of their own).
    const link = await page.getByTestId('confirmation-url').getAttribute('href');
    expect(link).toMatch(/\/public\/tickets\/confirm\?token=/);
    const customer = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    const confirmation = await customer.newPage();
    await confirmation.goto(link!);
    await confirmation.locator('input[name="csatScore"][value="5"]').check();
    await confirmation.getByRole('button', { name: 'Yes, it is resolved' }).click();
    await confirmation.getByText('Thank you. Your ticket is closed.').waitFor();
    await screenshot(confirmation, 'customer-confirmed-en');
    await customer.close();

    await page.reload();
    await page.locator('[data-testid="ticket-status"][data-status="closed"]').waitFor();
    await screenshot(page, 'ticket-closed-en');

    const stored = await api('GET', `/api/v1/tickets/${id}`, { as: 'agent' });
    expect(stored.body).toMatchObject({
      status: 'closed',
      resolution: 'Export worker restarted; the export completes.',
    });
    expect(stored.body.firstRespondedAt).not.toBeNull();

    await page.getByTestId('language-switch').getByText('中文').click();
    await page.getByTestId('ticket-status').filter({ hasText: '已关闭' }).waitFor();
    await page.getByRole('button', { name: '重新打开' }).waitFor();
    await screenshot(page, 'ticket-closed-zh');
    await page.context().close();
  });
});
