import { Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { useConsole } from '../app';
import { unwrap } from '../api/client';
import { LoadState } from '../layout/load-state';
import { useLoaded } from '../layout/use-loaded';
import { formatDateTime } from '../layout/format';

function Field({ label, value }: { label: string; value: string | number | null | undefined }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value === '' || value == null ? '—' : value}</Text>
    </div>
  );
}

/** One lead: who, from where, its status and score. */
export function LeadPage() {
  const { t, i18n } = useTranslation();
  const { api } = useConsole();
  const { id = '' } = useParams();
  const lead = useLoaded(
    async () => unwrap(await api.GET('/api/v1/leads/{id}', { params: { path: { id } } })),
    [api, id],
  );
  return (
    <LoadState loaded={lead}>
      {(l) => (
        <Stack>
          <Group>
            <Title order={2} data-testid="lead-name">
              {`${l.firstName} ${l.lastName}`.trim()}
            </Title>
            <Badge>{l.status}</Badge>
          </Group>
          <Card withBorder>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Field label={t('common.company')} value={l.company} />
              <Field label={t('common.email')} value={l.email} />
              <Field label={t('common.phone')} value={l.phone} />
              <Field label={t('leads.source')} value={l.source} />
              <Field label={t('accounts.industry')} value={l.industry} />
              <Field label={t('leads.score')} value={l.score} />
              <Field label={t('common.owner')} value={l.ownerId} />
              <Field label={t('common.created')} value={formatDateTime(l.createdAt, i18n.language)} />
              <Field label={t('common.updated')} value={formatDateTime(l.updatedAt, i18n.language)} />
            </SimpleGrid>
          </Card>
        </Stack>
      )}
    </LoadState>
  );
}
