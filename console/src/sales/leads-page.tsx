import { Anchor, Badge, CloseButton, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { useConsole } from '../app';
import { unwrap } from '../api/client';
import { LoadState } from '../layout/load-state';
import { useLoaded } from '../layout/use-loaded';
import { formatDateTime } from '../layout/format';

/**
 * The first 50 leads the user can see, newest first, with a search box. A dashboard drills down here
 * with `?status=` and `?ownerId=` (shown as a filter the user can clear).
 */
export function LeadsPage() {
  const { t, i18n } = useTranslation();
  const { api } = useConsole();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const ownerId = params.get('ownerId') ?? undefined;
  const leads = useLoaded(
    async () =>
      unwrap(
        await api.GET('/api/v1/leads', {
          params: { query: { q: q || undefined, status, ownerId, limit: 50 } },
        }),
      ),
    [api, q, status, ownerId],
  );
  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Title order={2}>{t('leads.title')}</Title>
          {(status || ownerId) && (
            <Badge
              data-testid="leads-filter"
              variant="light"
              rightSection={
                <CloseButton size="xs" aria-label={t('leads.clearFilter')} onClick={() => setParams({})} />
              }
            >
              {[status && t('leads.filterStatus', { status }), ownerId && t('leads.filterOwner')]
                .filter(Boolean)
                .join(' · ')}
            </Badge>
          )}
        </Group>
        <TextInput
          aria-label={t('common.search')}
          placeholder={t('common.search')}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
      </Group>
      <LoadState loaded={leads}>
        {(page) =>
          page.items.length === 0 ? (
            <Text c="dimmed">{t('leads.empty')}</Text>
          ) : (
            <Table striped highlightOnHover data-testid="leads-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('common.name')}</Table.Th>
                  <Table.Th>{t('common.company')}</Table.Th>
                  <Table.Th>{t('common.status')}</Table.Th>
                  <Table.Th>{t('leads.score')}</Table.Th>
                  <Table.Th>{t('common.created')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((lead) => (
                  <Table.Tr key={lead.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/leads/${lead.id}`}>
                        {`${lead.firstName} ${lead.lastName}`.trim()}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{lead.company}</Table.Td>
                    <Table.Td>{lead.status}</Table.Td>
                    <Table.Td>{lead.score}</Table.Td>
                    <Table.Td>{formatDateTime(lead.createdAt, i18n.language)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </LoadState>
    </Stack>
  );
}
