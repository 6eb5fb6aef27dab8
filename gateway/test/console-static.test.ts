import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type Harness } from './helpers';

const HTML = 'text/html,application/xhtml+xml,*/*;q=0.8';
let dir: string;
let h: Harness;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  h = await startApp({
    console: { dir, keycloakUrl: 'https://sso.example.com', realm: 'crm', clientId: 'crm-console' },
  });
});
afterEach(async () => {
  await h.close();
});

describe('the console at /', () => {
  it('answers every page the browser opens with index.html, never cached, under a strict CSP', async () => {
    for (const page of ['/', '/tickets/t-1', '/accounts/a-1']) {
      const res = await fetch(`${h.url}${page}`, { headers: { accept: HTML } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="root">');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self' https://sso.example.com");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("'unsafe-eval'");
    }
  });

  it('serves hashed assets cached for a year, and a missing one is a 404, not the page', async () => {
    const js = await fetch(`${h.url}/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${h.url}/assets/gone-000.js`, { headers: { accept: HTML } });
    expect(missing.status).toBe(404);
  });

  it('tells the console where to sign in', async () => {
    const res = await fetch(`${h.url}/console-settings.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      keycloakUrl: 'https://sso.example.com',
      realm: 'crm',
      clientId: 'crm-console',
    });
  });

  it('leaves the API, the docs and the health check to their own handlers', async () => {
    const api = await fetch(`${h.url}/api/v1/leads`, { headers: { accept: HTML } });
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const unknownApi = await fetch(`${h.url}/api/v2/nothing`, { headers: { accept: HTML } });
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/api/docs`, { headers: { accept: HTML } })).status).toBe(200);
    const publicPage = await fetch(`${h.url}/public/nothing`, { headers: { accept: HTML } });
    expect(publicPage.status).toBe(404);
  });

  it('answers a request that does not ask for a page (a script, an API call) with the 404 problem', async () => {
    const res = await fetch(`${h.url}/some/file.json`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
  });
});
