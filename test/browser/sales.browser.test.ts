import type { Browser } from 'playwright-core';
import { api, RUN, uniqueEmail } from '../integration/support';
import { launch, screenshot, signedIn } from './console-browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('the sales view of the console', () => {
  it('signs a rep in, lists their leads, opens one, and shows an account with its buying committee', async () => {
    const lead = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: {
        firstName: 'Lin',
        lastName: `Browser${RUN}`,
        email: uniqueEmail('lin'),
        company: `Lin Co ${RUN}`,
      },
    });
    expect(lead.status).toBe(201);
    const account = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Console Account ${RUN}` },
    });
    expect(account.status).toBe(201);
    const contact = await api('POST', `/api/v1/accounts/${account.body.id}/contacts`, {
      as: 'rep1',
      json: { firstName: 'Mei', lastName: `Chen${RUN}`, buyingRole: 'economic-buyer' },
    });
    expect(contact.status).toBe(201);

    const page = await signedIn(browser, 'rep1');
    await page.getByLabel('Search').fill(`Browser${RUN}`);
    await page.getByRole('link', { name: `Lin Browser${RUN}` }).click();
    await page
      .getByTestId('lead-name')
      .filter({ hasText: `Lin Browser${RUN}` })
      .waitFor();
    expect(page.url()).toBe(`${page.url().split('/leads/')[0]}/leads/${lead.body.id}`);
    await screenshot(page, 'lead-en');

    await page.goto(page.url().replace(/\/leads\/.*/, `/accounts/${account.body.id}`));
    await page
      .getByTestId('account-name')
      .filter({ hasText: `Console Account ${RUN}` })
      .waitFor();
    const committee = page.getByTestId('account-contacts');
    await committee.getByText(`Mei Chen${RUN}`).waitFor();
    await committee.getByText('economic-buyer').waitFor();
    await page.getByText('No deals yet.').waitFor();
    await screenshot(page, 'account-en');

    await page.getByTestId('language-switch').getByText('中文').click();
    await page.getByText('联系人', { exact: true }).waitFor();
    await page.getByText('暂无商机。').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh');
    await screenshot(page, 'account-zh');
    await page.context().close();
  });

  it('opens in Chinese for a browser that asks for Chinese', async () => {
    const page = await signedIn(browser, 'rep2', 'zh-CN', '/leads');
    await page.getByRole('heading', { name: '线索' }).waitFor();
    await screenshot(page, 'leads-zh');
    await page.context().close();
  });
});
