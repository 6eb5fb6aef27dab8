import { Alert, Button, Loader } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Loaded } from './use-loaded';

/** A loader the first time, the error with a retry when the load failed, the content otherwise. */
export function LoadState<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t } = useTranslation();
  if (loaded.data !== undefined) {
    return (
      <>
        {loaded.error && <Alert color="red">{t('app.error', { message: loaded.error.message })}</Alert>}
        {children(loaded.data)}
      </>
    );
  }
  if (loaded.error) {
    return (
      <Alert color="red" title={t('app.error', { message: loaded.error.message })}>
        <Button size="xs" onClick={loaded.reload}>
          {t('app.retry')}
        </Button>
      </Alert>
    );
  }
  return <Loader aria-label={t('app.loading')} />;
}
