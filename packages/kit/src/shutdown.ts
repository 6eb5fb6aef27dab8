import type { Logger } from './logger';

export type ShutdownStep = { name: string; run: () => Promise<unknown> | unknown };

/**
 * On SIGTERM/SIGINT runs the steps in order (stop accepting, finish in-flight work, drain, close) and
 * exits 0; a step that hangs past the timeout makes the exit 1 rather than block a rollout.
 */
export function onShutdown(logger: Logger, timeoutMs: number, steps: ShutdownStep[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    for (const step of steps) {
      try {
        logger.debug({ step: step.name }, 'shutdown step');
        await step.run();
      } catch (err) {
        logger.warn({ step: step.name, err: (err as Error).message }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
