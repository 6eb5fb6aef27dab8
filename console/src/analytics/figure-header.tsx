import { Button, Group, Text, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export type DownloadFormat = 'csv' | 'xlsx';

/** A dashboard panel's title, its own controls, and its CSV and XLSX downloads. */
export function FigureHeader(props: {
  title: string;
  onExport: (format: DownloadFormat) => Promise<void>;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState<DownloadFormat | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const download = (format: DownloadFormat) => {
    setBusy(format);
    setFailed(null);
    props
      .onExport(format)
      .catch((e: Error) => setFailed(e.message))
      .finally(() => setBusy(null));
  };
  return (
    <Group justify="space-between" mb="sm" wrap="wrap">
      <Title order={4}>{props.title}</Title>
      <Group gap="xs">
        {props.children}
        <Button size="xs" variant="light" loading={busy === 'csv'} onClick={() => download('csv')}>
          {t('dashboards.exportCsv')}
        </Button>
        <Button size="xs" variant="light" loading={busy === 'xlsx'} onClick={() => download('xlsx')}>
          {t('dashboards.exportXlsx')}
        </Button>
      </Group>
      {failed && (
        <Text size="xs" c="red" w="100%" role="alert">
          {t('dashboards.downloadFailed', { message: failed })}
        </Text>
      )}
    </Group>
  );
}
