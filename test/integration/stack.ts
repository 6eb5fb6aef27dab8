import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const APPS = resolve(__dirname, '..', '..', 'deploy', 'local', 'apps.sh');
/** The stack the tests run against: `test` under npm test, `dev` when pointed at npm start's stack. */
const PROFILE = process.env.CRM_APPS_PROFILE ?? 'test';

/** Stops one app of the running stack (SIGTERM, as Kubernetes would), for outage tests. */
export async function stopApp(name: string): Promise<void> {
  await run('bash', [APPS, 'stop', PROFILE, name], { timeout: 30_000 });
}

/** Starts whatever app of the stack is not running and waits until it is ready. */
export async function startApps(): Promise<void> {
  await run('bash', [APPS, 'start', PROFILE], { timeout: 120_000 });
}
