import {
  Card,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TextInput,
  Title,
} from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { useConsole } from '../app';
import { unwrap } from '../api/client';
import { LoadState } from '../layout/load-state';
import { useLoaded } from '../layout/use-loaded';
import { saveFile } from './download';
import { FigureHeader, type DownloadFormat } from './figure-header';
import { BacklogPanel } from './support-backlog-panel';
import { CsatPanel } from './support-csat-panel';
import {
  figureQuery,
  PERIODS,
  supportFiltersFrom,
  supportFiltersQuery,
  type SupportFilters,
} from './support-figures';
import { ResolutionPanel, SlaPanel } from './support-sla-panels';

type Figure =
  | '/api/v1/analytics/service/backlog'
  | '/api/v1/analytics/service/sla'
  | '/api/v1/analytics/service/resolution-time'
  | '/api/v1/analytics/service/csat';

/**
 * The support lead's page: the open backlog by queue and status, SLA compliance, resolution times and
 * customer satisfaction, filtered by days, period, queue and "only mine". The filters live in the URL,
 * so a view can be bookmarked; a backlog bar opens the tickets behind it; every panel downloads.
 */
export function SupportDashboardPage() {
  const { t } = useTranslation();
  const { api, session } = useConsole();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => supportFiltersFrom(params), [params]);
  const change = (patch: Partial<SupportFilters>) =>
    setParams(supportFiltersQuery({ ...filters, ...patch }), { replace: true });
  const query = useMemo(() => figureQuery(filters), [filters]);
  const { period } = filters;

  const backlog = useLoaded(
    async () => figures(unwrap(await api.GET('/api/v1/analytics/service/backlog', { params: { query } }))),
    [api, query],
  );
  const sla = useLoaded(
    async () =>
      figures(
        unwrap(await api.GET('/api/v1/analytics/service/sla', { params: { query: { ...query, period } } })),
      ),
    [api, query, period],
  );
  // Without a period: medians of different periods cannot be combined into one per priority.
  const resolution = useLoaded(
    async () =>
      figures(unwrap(await api.GET('/api/v1/analytics/service/resolution-time', { params: { query } }))),
    [api, query],
  );
  const csat = useLoaded(
    async () =>
      figures(
        unwrap(await api.GET('/api/v1/analytics/service/csat', { params: { query: { ...query, period } } })),
      ),
    [api, query, period],
  );
  const queues = useLoaded(async () => {
    const res = await api.GET('/api/v1/queues', {});
    return res.response.ok && res.data ? res.data.items : [];
  }, [api]);
  // Agents' names for CSAT by agent: only managers and admins may list users; others see "me" or the id.
  const users = useLoaded(async () => {
    const res = await api.GET('/api/v1/users', {});
    return res.response.ok && res.data ? new Map(res.data.items.map((u) => [u.id, u.username])) : new Map();
  }, [api]);
  const name = (id: string) =>
    id === session.userId ? session.userName : ((users.data?.get(id) as string | undefined) ?? id);

  async function download(path: Figure, file: string, format: DownloadFormat, grouped: boolean) {
    const res = await api.GET(path, {
      params: { query: { ...query, ...(grouped ? { period } : {}), format } },
      parseAs: 'blob',
    });
    saveFile(unwrap(res) as Blob, `${file}.${format}`);
  }

  const queueOptions = [
    ...(queues.data ?? []).map((q) => ({ value: q.key, label: q.name || q.key })),
    ...(filters.queue && !queues.data?.some((q) => q.key === filters.queue)
      ? [{ value: filters.queue, label: filters.queue }]
      : []),
  ];

  return (
    <Stack>
      <Group justify="space-between" align="end">
        <Title order={2}>{t('supportDashboard.title')}</Title>
        <Group align="end">
          <TextInput
            type="date"
            label={t('dashboards.from')}
            value={filters.from ?? ''}
            onChange={(e) => change({ from: e.currentTarget.value || undefined })}
          />
          <TextInput
            type="date"
            label={t('dashboards.to')}
            value={filters.to ?? ''}
            onChange={(e) => change({ to: e.currentTarget.value || undefined })}
          />
          <Select
            label={t('support.queueName')}
            placeholder={t('supportDashboard.allQueues')}
            clearable
            value={filters.queue ?? null}
            onChange={(q) => change({ queue: q ?? undefined })}
            data={queueOptions}
          />
          <SegmentedControl
            aria-label={t('dashboards.period')}
            value={period}
            onChange={(p) => change({ period: p as SupportFilters['period'] })}
            data={PERIODS.map((p) => ({ value: p, label: t(`dashboards.periods.${p}`) }))}
          />
          <Switch
            label={t('supportDashboard.onlyMine')}
            checked={filters.mine}
            onChange={(e) => change({ mine: e.currentTarget.checked })}
          />
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder data-testid="support-backlog">
          <FigureHeader
            title={t('supportDashboard.backlog')}
            onExport={(format) =>
              download('/api/v1/analytics/service/backlog', 'service-backlog', format, false)
            }
          />
          <LoadState loaded={backlog}>{(b) => <BacklogPanel rows={b.rows} />}</LoadState>
        </Card>
        <Card withBorder data-testid="support-sla">
          <FigureHeader
            title={t('supportDashboard.sla')}
            onExport={(format) => download('/api/v1/analytics/service/sla', 'service-sla', format, true)}
          />
          <LoadState loaded={sla}>{(s) => <SlaPanel rows={s.rows} />}</LoadState>
        </Card>
        <Card withBorder data-testid="support-resolution">
          <FigureHeader
            title={t('supportDashboard.resolutionTime')}
            onExport={(format) =>
              download('/api/v1/analytics/service/resolution-time', 'service-resolution-time', format, false)
            }
          />
          <LoadState loaded={resolution}>{(r) => <ResolutionPanel rows={r.rows} />}</LoadState>
        </Card>
        <Card withBorder data-testid="support-csat">
          <FigureHeader
            title={t('supportDashboard.csat')}
            onExport={(format) => download('/api/v1/analytics/service/csat', 'service-csat', format, true)}
          />
          <LoadState loaded={csat}>{(c) => <CsatPanel rows={c.rows} names={name} />}</LoadState>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}

/** The JSON figures (the same operations answer CSV or XLSX when asked for it, which these calls never do). */
function figures<T>(answer: T | string): T {
  if (typeof answer === 'string') throw new Error('the figures came as text, not JSON');
  return answer;
}
