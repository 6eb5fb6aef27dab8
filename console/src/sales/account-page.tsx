import { Alert, Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { useConsole } from '../app';
import { unwrap } from '../api/client';
import { LoadState } from '../layout/load-state';
import { useLoaded } from '../layout/use-loaded';
import { formatDateTime, formatMoney } from '../layout/format';

/** An account's overview: key facts, its contacts with their buying roles, activities and deals. */
export function AccountPage() {
  const { t, i18n } = useTranslation();
  const { api } = useConsole();
  const { id = '' } = useParams();
  const overview = useLoaded(
    async () => unwrap(await api.GET('/api/v1/accounts/{id}/overview', { params: { path: { id } } })),
    [api, id],
  );
  // Deals are read on their own: an account may have none, and the overview does not carry them yet.
  const deals = useLoaded(
    async () => unwrap(await api.GET('/api/v1/opportunities', { params: { query: { accountId: id } } })),
    [api, id],
  );
  return (
    <LoadState loaded={overview}>
      {({ account, contacts, activities }) => (
        <Stack>
          <Group>
            <Title order={2} data-testid="account-name">
              {account.name}
            </Title>
            <Badge size="lg" data-testid="account-tier">
              {t('accounts.tier')} {account.tier}
            </Badge>
            <Text c="dimmed">
              {[account.industry, account.region, account.domain].filter(Boolean).join(' · ')}
            </Text>
          </Group>

          <Card withBorder>
            <Title order={4}>{t('accounts.contacts')}</Title>
            {contacts.status === 'unavailable' ? (
              <Alert color="yellow">{t('app.unavailable')}</Alert>
            ) : contacts.items.length === 0 ? (
              <Text c="dimmed">{t('accounts.noContacts')}</Text>
            ) : (
              <Table data-testid="account-contacts">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('common.name')}</Table.Th>
                    <Table.Th>{t('accounts.buyingRole')}</Table.Th>
                    <Table.Th>{t('common.email')}</Table.Th>
                    <Table.Th>{t('common.phone')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {contacts.items.map((c) => (
                    <Table.Tr key={c.id}>
                      <Table.Td>
                        {`${c.firstName} ${c.lastName}`.trim()}{' '}
                        {c.title && (
                          <Text span c="dimmed">
                            ({c.title})
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        {c.buyingRole ? <Badge variant="light">{c.buyingRole}</Badge> : '—'}
                      </Table.Td>
                      <Table.Td>{c.email || '—'}</Table.Td>
                      <Table.Td>{c.phone || '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Card>

          <Card withBorder>
            <Title order={4}>{t('accounts.activities')}</Title>
            {activities.status === 'unavailable' ? (
              <Alert color="yellow">{t('app.unavailable')}</Alert>
            ) : activities.items.length === 0 ? (
              <Text c="dimmed">{t('accounts.noActivities')}</Text>
            ) : (
              <Stack gap="xs">
                {activities.items.map((a) => (
                  <Group key={a.id} gap="xs" wrap="nowrap">
                    <Badge variant="outline">{a.type}</Badge>
                    <Text>{a.subject}</Text>
                    <Text size="sm" c="dimmed">
                      {formatDateTime(a.occurredAt ?? a.dueAt ?? a.createdAt, i18n.language)}
                    </Text>
                  </Group>
                ))}
              </Stack>
            )}
          </Card>

          <Card withBorder>
            <Title order={4}>{t('accounts.deals')}</Title>
            <LoadState loaded={deals}>
              {(page) =>
                page.items.length === 0 ? (
                  <Text c="dimmed">{t('accounts.noDeals')}</Text>
                ) : (
                  <Stack gap="xs">
                    {page.items.map((d) => (
                      <Group key={d.id} gap="xs">
                        <Text>{d.name}</Text>
                        <Badge variant="light">{d.stageKey}</Badge>
                        <Text size="sm">{formatMoney(d.amountMinor, d.currency, i18n.language)}</Text>
                      </Group>
                    ))}
                  </Stack>
                )
              }
            </LoadState>
          </Card>
        </Stack>
      )}
    </LoadState>
  );
}
