import '@mantine/core/styles.css';
import './i18n/i18n';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import { signIn, type ConsoleSettings } from './auth/session';
import { createApi } from './api/client';
import { App } from './app';

async function start(): Promise<void> {
  const settings = (await (await fetch('/console-settings.json')).json()) as ConsoleSettings;
  const session = await signIn(settings);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <MantineProvider>
        <App session={session} api={createApi(session)} />
      </MantineProvider>
    </StrictMode>,
  );
}

start().catch((err: unknown) => {
  document.getElementById('root')!.textContent = `Sign-in failed: ${String(err)}`;
});
