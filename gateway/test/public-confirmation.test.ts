import { Status } from 'nice-grpc';
import { RichClientError } from 'nice-grpc-error-details';
import { serviceTicket as pb } from '@crm/proto';
import { jsonHeaders, startApp, type Harness } from './helpers';

const confirmation = pb.CustomerConfirmation.fromPartial({
  ticketId: 'T1',
  subject: 'Cannot log in',
  resolution: 'Reset the single sign-on session',
  answered: false,
});

let h: Harness;
let serviceTicket: Record<'getConfirmation' | 'answerConfirmation', jest.Mock>;
beforeEach(async () => {
  serviceTicket = {
    getConfirmation: jest.fn(async () => confirmation),
    answerConfirmation: jest.fn(async () => {
      throw new RichClientError('/x', Status.INVALID_ARGUMENT, 'comment: is required to reject', []);
    }),
  };
  h = await startApp({ serviceTicket });
});
afterEach(async () => {
  await h.close();
});

const post = (form: Record<string, string>, lang = 'en') =>
  fetch(`${h.url}/public/tickets/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': lang },
    body: new URLSearchParams(form).toString(),
  });

describe("the customer's confirmation page", () => {
  it('shows the form again, with what was typed, when a rejection lacks its comment', async () => {
    const res = await post({ token: 'tok', decision: 'reject', csatScore: '2', comment: ' ', lang: 'en' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Please tell us what is still not resolved');
    expect(html).toContain('value="2" required checked');
    expect(html).toContain('name="token" value="tok"');
    expect(html).not.toContain('not valid or has expired');
  });

  it('asks for the rating again in Chinese when the form came without one', async () => {
    const res = await post({ token: 'tok', decision: 'confirm', lang: 'zh' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('请选择 1 到 5 的评分后再提交。');
    expect(serviceTicket.answerConfirmation).not.toHaveBeenCalled();
  });

  it('still answers a JSON caller with a problem', async () => {
    const res = await fetch(`${h.url}/public/tickets/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'tok', decision: 'reject', csatScore: 2 }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});

describe('the confirmation link in the resolve answer', () => {
  const resolveTicket = jest.fn(async () =>
    pb.Ticket.fromPartial({
      id: 'T1',
      version: '4',
      status: 'resolved',
      customerConfirmationToken: 'tok en',
    }),
  );
  const resolve = async (publicBaseUrl?: string) => {
    const app = await startApp({ serviceTicket: { resolveTicket }, publicBaseUrl });
    try {
      const res = await fetch(`${app.url}/api/v1/tickets/T1/resolve`, {
        method: 'POST',
        headers: { ...jsonHeaders('agent'), 'if-match': '"3"' },
        body: JSON.stringify({ resolution: 'Reset the session' }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { customerConfirmationUrl: string }).customerConfirmationUrl;
    } finally {
      await app.close();
    }
  };

  it('points where customers reach the gateway when PUBLIC_BASE_URL says so', async () => {
    expect(await resolve('https://crm.example.com/')).toBe(
      'https://crm.example.com/public/tickets/confirm?token=tok%20en',
    );
  });

  it('otherwise points at the address the caller used', async () => {
    expect(await resolve()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/public\/tickets\/confirm\?token=tok%20en$/);
  });
});
