/**
 * Helpers for integration tests of the packages and services: the MongoDB-compatible server the test
 * stack provides, polling, and a nats-server or FerretDB of the test's own that it can stop and start
 * again.
 * Exported as @crm/kit/testing; nothing in production imports it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'nats';

export { InMemoryDocs, InMemoryVersioned, type VersionedDoc } from './in-memory-versioned';

export const MONGODB_URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017';

export const waitFor = async (check: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * A server process of the test's own with a data folder: `run` starts it (again, on the same data),
 * `stop` kills it at once (SIGKILL, as a crash or a lost node would), `dispose` also removes the data.
 */
function ownProcess(dir: string) {
  let proc: ChildProcess | undefined;
  return {
    run(command: string, args: string[]): ChildProcess {
      proc = spawn(command, args, { stdio: 'ignore' });
      return proc;
    },
    async stop() {
      const p = proc;
      proc = undefined;
      if (!p || p.exitCode !== null) return;
      await new Promise((r) => {
        p.once('exit', r);
        p.kill('SIGKILL');
      });
    },
    async dispose() {
      await this.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real nats-server of the test's own, so a test can kill it and bring it back with its data. Like
 * every NATS of the CRM it takes no anonymous clients: connect with `auth` (one user allowed all).
 */
export async function ownNats() {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'crm-nats-'));
  const server = ownProcess(store);
  const url = `127.0.0.1:${port}`;
  const auth = { user: 'test', pass: randomBytes(12).toString('hex') };
  const config = join(store, 'nats-server.conf');
  writeFileSync(
    config,
    `host: "127.0.0.1"\nport: ${port}\njetstream { store_dir: "${store}" }\n` +
      `authorization { users: [ { user: "${auth.user}", password: "${auth.pass}" } ] }\n`,
  );
  const self = {
    url,
    auth,
    /** The same as NATS_USER / NATS_PASSWORD, for code that takes kit's config. */
    credentials: { NATS_USER: auth.user, NATS_PASSWORD: auth.pass },
    async start() {
      server.run('nats-server', ['-c', config]);
      await waitFor(async () => {
        const c = await connect({ servers: url, ...auth });
        await c.close();
        return true;
      });
    },
    stop: () => server.stop(),
    dispose: () => server.dispose(),
  };
  return self;
}

/** The FerretDB binary deploy/local/install-infra.sh put into the cache. */
const ferretDbBin = () =>
  join(process.env.CRM_CACHE_DIR ?? resolve(__dirname, '..', '..', '..', '.cache'), 'bin', 'ferretdb');

/**
 * A FerretDB of the test's own (SQLite in a temp dir), so a test can kill the database mid-work and
 * bring it back with its data on the same address.
 */
export async function ownFerretDb() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'crm-ferretdb-'));
  const server = ownProcess(dir);
  const uri = `mongodb://127.0.0.1:${port}/`;
  const self = {
    uri,
    async start() {
      const started = server.run(ferretDbBin(), [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--state-dir=${dir}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ]);
      await waitFor(async () => {
        if (started.exitCode !== null) throw new Error(`ferretdb exited with ${started.exitCode}`);
        return acceptsConnections(port);
      });
    },
    stop: () => server.stop(),
    dispose: () => server.dispose(),
  };
  return self;
}

const acceptsConnections = (port: number) =>
  new Promise<boolean>((done) => {
    const s = netConnect(port, '127.0.0.1')
      .once('connect', () => {
        s.destroy();
        done(true);
      })
      .once('error', () => done(false));
  });
