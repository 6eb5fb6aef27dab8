import pino from 'pino';
import { auth, json, sampleLead, startApp, type Harness } from './helpers';

/** The app's log lines, and a promise for the line pino-http writes when a request has finished. */
function captureLogs() {
  const lines: string[] = [];
  let finished: () => void = () => undefined;
  const requestLogged = new Promise<void>((resolve) => (finished = resolve));
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        lines.push(line);
        if (line.includes('request completed') || line.includes('request errored')) finished();
      },
    },
  );
  return { logger, lines, requestLogged };
}

describe('tokens sent in the URL by mistake', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('are not echoed by the problem: instance is the path only', async () => {
    h = await startApp();
    const res = await fetch(`${h.url}/api/v1/leads?access_token=eyJ.secret.sig&status=new`);
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(JSON.parse(text).instance).toBe('/api/v1/leads');
    expect(text).not.toContain('eyJ.secret.sig');
  });

  it('never reach the log, nor do the Authorization and Cookie headers', async () => {
    const logs = captureLogs();
    h = await startApp({ logger: logs.logger });
    // The list refuses the unknown parameter (400): what matters is what the log keeps of the request.
    const res = await fetch(`${h.url}/api/v1/leads?access_token=eyJ.secret.sig&status=new`, {
      headers: auth('rep', { cookie: 'KEYCLOAK_SESSION=cookie-secret' }),
    });
    expect(res.status).toBe(400);
    await logs.requestLogged;
    const log = logs.lines.join('');
    expect(log).toContain('/api/v1/leads?access_token=%5Bredacted%5D&status=new');
    for (const secret of ['eyJ.secret.sig', 'cookie-secret', 'Bearer rep']) expect(log).not.toContain(secret);
  });
});

describe('answers with personal data', () => {
  let h: Harness;
  beforeEach(async () => (h = await startApp()));
  afterEach(async () => h.close());

  it('carry Cache-Control: no-store, errors included', async () => {
    h.client.listLeads.mockResolvedValue({ leads: [sampleLead()], page: { nextCursor: '' } });
    const list = await fetch(`${h.url}/api/v1/leads`, { headers: auth('rep') });
    expect(list.status).toBe(200);
    expect((await json(list)).items[0].lastName).toBe('Doe');
    expect(list.headers.get('cache-control')).toBe('no-store');
    const denied = await fetch(`${h.url}/api/v1/users`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('cache-control')).toBe('no-store');
  });
});
