import {
  Card,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useConsole } from '../app';
import { unwrap } from '../api/client';
import type { components } from '../api/schema.gen';
import { formatMoney } from '../layout/format';
import { LoadState } from '../layout/load-state';
import { useLoaded } from '../layout/use-loaded';
import { saveFile } from './download';
import { type DownloadFormat, FigureHeader } from './figure-header';

type FunnelStep = components['schemas']['FunnelStep'];
type PipelineRow = components['schemas']['PipelineRow'];
type Period = 'day' | 'week' | 'month' | 'quarter';
type Figure = '/api/v1/analytics/funnel' | '/api/v1/analytics/pipeline' | '/api/v1/analytics/leaderboard';

const CATEGORIES = ['pipeline', 'best-case', 'commit'] as const;
const COLOURS: Record<(typeof CATEGORIES)[number], string> = {
  pipeline: '#74c0fc',
  'best-case': '#4dabf7',
  commit: '#1971c2',
};

/** Where a funnel bar leads: the records behind it (leads by status; deals have no list screen yet). */
function leadsBehind(step: string): string | undefined {
  if (step === 'lead') return '/leads';
  if (step === 'qualified') return '/leads?status=qualified,converted';
  if (step === 'converted') return '/leads?status=converted';
  return undefined;
}

/**
 * The sales manager's morning page: the funnel, the open pipeline by expected close month and forecast
 * category, and the leaderboard, with the figures' own filters, drill-down and CSV export.
 */
export function SalesDashboardPage() {
  const { t, i18n } = useTranslation();
  const { api } = useConsole();
  const navigate = useNavigate();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [period, setPeriod] = useState<Period>('month');
  const query = useMemo(() => ({ from: from || undefined, to: to || undefined }), [from, to]);

  const funnel = useLoaded(
    async () => figures(unwrap(await api.GET('/api/v1/analytics/funnel', { params: { query } }))),
    [api, query],
  );
  const pipeline = useLoaded(
    async () =>
      figures(
        unwrap(await api.GET('/api/v1/analytics/pipeline', { params: { query: { ...query, period } } })),
      ),
    [api, query, period],
  );
  const leaderboard = useLoaded(
    async () => figures(unwrap(await api.GET('/api/v1/analytics/leaderboard', { params: { query } }))),
    [api, query],
  );
  // Names for the leaderboard: only managers and admins may list users; others see "me" or the id.
  const users = useLoaded(async () => {
    const res = await api.GET('/api/v1/users', {});
    return res.response.ok && res.data ? new Map(res.data.items.map((u) => [u.id, u.username])) : new Map();
  }, [api]);

  async function exportFigure(
    path: Figure,
    name: string,
    format: DownloadFormat,
    extra: { period?: Period } = {},
  ) {
    const res = await api.GET(path, {
      params: { query: { ...query, ...extra, format } },
      parseAs: 'blob',
    });
    saveFile(unwrap(res) as Blob, `${name}.${format}`);
  }

  return (
    <Stack>
      <Group justify="space-between" align="end">
        <Title order={2}>{t('dashboards.sales')}</Title>
        <Group align="end">
          <TextInput
            type="date"
            label={t('dashboards.from')}
            value={from}
            onChange={(e) => setFrom(e.currentTarget.value)}
          />
          <TextInput
            type="date"
            label={t('dashboards.to')}
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
          />
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder data-testid="dashboard-funnel">
          <FigureHeader
            title={t('dashboards.funnel')}
            onExport={(format) => exportFigure('/api/v1/analytics/funnel', 'funnel', format)}
          />
          <LoadState loaded={funnel}>
            {(f) => (
              <FunnelChart
                steps={f.steps.filter((s) => s.period === null)}
                onPick={(step) => {
                  const to = leadsBehind(step);
                  if (to) navigate(to);
                }}
              />
            )}
          </LoadState>
        </Card>
        <Card withBorder data-testid="dashboard-pipeline">
          <FigureHeader
            title={t('dashboards.forecast')}
            onExport={(format) => exportFigure('/api/v1/analytics/pipeline', 'pipeline', format, { period })}
          >
            <SegmentedControl
              size="xs"
              aria-label={t('dashboards.period')}
              value={period}
              onChange={(p) => setPeriod(p as Period)}
              data={(['month', 'quarter'] as const).map((p) => ({
                value: p,
                label: t(`dashboards.periods.${p}`),
              }))}
            />
          </FigureHeader>
          <LoadState loaded={pipeline}>
            {(p) => <PipelineChart rows={p.rows} language={i18n.language} />}
          </LoadState>
        </Card>
      </SimpleGrid>
      <Card withBorder data-testid="dashboard-leaderboard">
        <FigureHeader
          title={t('dashboards.leaderboard')}
          onExport={(format) => exportFigure('/api/v1/analytics/leaderboard', 'leaderboard', format)}
        />
        <LoadState loaded={leaderboard}>
          {(board) =>
            board.rows.length === 0 ? (
              <Text c="dimmed">{t('dashboards.empty')}</Text>
            ) : (
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('dashboards.rep')}</Table.Th>
                    <Table.Th>{t('dashboards.wonAmount')}</Table.Th>
                    <Table.Th>{t('dashboards.dealsWon')}</Table.Th>
                    <Table.Th>{t('dashboards.leads')}</Table.Th>
                    <Table.Th>{t('dashboards.conversionRate')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...board.rows]
                    .sort((a, b) => b.dealsWon - a.dealsWon || b.leadsConverted - a.leadsConverted)
                    .map((row) => (
                      <Table.Tr
                        key={row.ownerId}
                        style={{ cursor: 'pointer' }}
                        onClick={() => navigate(`/leads?ownerId=${encodeURIComponent(row.ownerId)}`)}
                      >
                        <Table.Td>
                          {row.ownerId
                            ? (users.data?.get(row.ownerId) ?? row.ownerId)
                            : t('dashboards.unassigned')}
                        </Table.Td>
                        <Table.Td>
                          {row.won.length === 0
                            ? '—'
                            : row.won
                                .map((w) => formatMoney(w.amountMinor, w.currency, i18n.language))
                                .join(' · ')}
                        </Table.Td>
                        <Table.Td>{row.dealsWon}</Table.Td>
                        <Table.Td>{row.leads}</Table.Td>
                        <Table.Td>{percent(row.conversionRate, i18n.language)}</Table.Td>
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            )
          }
        </LoadState>
      </Card>
    </Stack>
  );
}

function FunnelChart({ steps, onPick }: { steps: FunnelStep[]; onPick: (step: string) => void }) {
  const { t } = useTranslation();
  const data = steps.map((s) => ({ step: s.step, label: stepLabel(s.step, t), count: s.count }));
  return (
    <ResponsiveContainer width="100%" height={Math.max(240, data.length * 34)}>
      <BarChart data={data} layout="vertical" margin={{ left: 24 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" allowDecimals={false} />
        {/* Every step named: recharts would otherwise skip labels it finds too close together. */}
        <YAxis type="category" dataKey="label" width={140} interval={0} />
        <Tooltip />
        <Bar
          dataKey="count"
          name={t('dashboards.count')}
          fill="#228be6"
          cursor="pointer"
          isAnimationActive={false}
          onClick={(bar) => onPick((bar.payload as { step: string }).step)}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

function stepLabel(step: string, t: (key: string, o?: Record<string, string>) => string): string {
  if (step.startsWith('stage:')) return t('dashboards.stage', { stage: step.slice('stage:'.length) });
  return t(`dashboards.steps.${step}`, { defaultValue: step });
}

function PipelineChart({ rows, language }: { rows: PipelineRow[]; language: string }) {
  const { t } = useTranslation();
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const [picked, setPicked] = useState<string | null>(null);
  const currency = picked && currencies.includes(picked) ? picked : currencies[0];
  if (!currency) return <Text c="dimmed">{t('dashboards.empty')}</Text>;
  const byPeriod = new Map<string, Record<string, number | string>>();
  for (const r of rows.filter((x) => x.currency === currency)) {
    const bucket = byPeriod.get(r.closePeriod) ?? { period: r.closePeriod };
    bucket[r.forecastCategory] = ((bucket[r.forecastCategory] as number) ?? 0) + r.weightedAmountMinor / 100;
    byPeriod.set(r.closePeriod, bucket);
  }
  const data = [...byPeriod.values()].sort((a, b) => String(a.period).localeCompare(String(b.period)));
  const money = (v: number) => formatMoney(Math.round(v * 100), currency, language);
  return (
    <Stack gap="xs">
      {currencies.length > 1 && (
        <Select
          size="xs"
          w={120}
          aria-label={t('dashboards.currency')}
          data={currencies}
          value={currency}
          onChange={setPicked}
        />
      )}
      <Text size="xs" c="dimmed">
        {t('dashboards.weighted', { currency })}
      </Text>
      <ResponsiveContainer width="100%" height={250}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="period" />
          <YAxis
            tickFormatter={(v: number) => new Intl.NumberFormat(language, { notation: 'compact' }).format(v)}
          />
          <Tooltip formatter={(v) => money(Number(v))} />
          <Legend />
          {CATEGORIES.map((c) => (
            <Bar
              key={c}
              isAnimationActive={false}
              dataKey={c}
              stackId="amount"
              name={t(`dashboards.categories.${c}`)}
              fill={COLOURS[c]}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </Stack>
  );
}

/** The JSON figures (the same operations answer CSV when asked for it, which these calls never do). */
function figures<T>(answer: T | string): T {
  if (typeof answer === 'string') throw new Error('the figures came as text, not JSON');
  return answer;
}

function percent(rate: number, language: string): string {
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}
