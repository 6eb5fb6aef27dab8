import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import { getHotkeyHandler } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useConsole } from '../app';
import { ApiError, unwrap } from '../api/client';
import { formatDateTime } from '../layout/format';
import { LoadState } from '../layout/load-state';
import { useLoaded } from '../layout/use-loaded';
import { SlaBadge } from './sla-badge';
import { PRIORITY_COLOURS, slaOf, timelineOf, type Ticket } from './tickets';
import { useNow } from './use-now';

type Dialog = 'resolve' | 'escalate' | 'reopen' | null;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/** One ticket: its timeline and every step of its workflow, with the account beside it. */
export function TicketPage() {
  const { t, i18n } = useTranslation();
  const { api } = useConsole();
  const { id = '' } = useParams();
  const now = useNow(15_000);
  const loaded = useLoaded(
    async () => unwrap(await api.GET('/api/v1/tickets/{id}', { params: { path: { id } } })),
    [api, id],
  );
  const [changed, setChanged] = useState<Ticket | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [confirmationUrl, setConfirmationUrl] = useState<string | undefined>();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [dialogText, setDialogText] = useState('');
  const [composer, setComposer] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'internal'>('public');
  const [busy, setBusy] = useState(false);
  const ticket = changed && changed.id === id ? changed : loaded.data;

  /** Runs one change; the answer (the ticket as it is now) replaces the one shown. */
  async function change(run: (ifMatch: string) => Promise<Ticket>): Promise<boolean> {
    if (!ticket) return false;
    setBusy(true);
    setProblem(undefined);
    try {
      setChanged(await run(`"${ticket.version}"`));
      return true;
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : String(err));
      if (err instanceof ApiError && err.problem.status === 412) loaded.reload();
      return false;
    } finally {
      setBusy(false);
    }
  }

  const path = { id };
  const send = () =>
    composer.trim() &&
    change(async () =>
      unwrap(
        await api.POST('/api/v1/tickets/{id}/comments', {
          params: { path },
          body: { visibility, body: composer },
        }),
      ),
    ).then((ok) => ok && setComposer(''));
  const confirmDialog = async () => {
    const text = dialogText.trim();
    if (!text) return;
    const ok = await change(async (ifMatch) => {
      const headers = { 'If-Match': ifMatch };
      if (dialog === 'resolve') {
        const resolved = unwrap(
          await api.POST('/api/v1/tickets/{id}/resolve', {
            params: { path },
            headers,
            body: { resolution: text },
          }),
        );
        // The signed, single-use link for the customer to confirm (or reject) the fix and rate it.
        setConfirmationUrl(resolved.customerConfirmationUrl);
        return resolved;
      }
      if (dialog === 'escalate')
        return unwrap(
          await api.POST('/api/v1/tickets/{id}/escalate', {
            params: { path },
            headers,
            body: { reason: text },
          }),
        );
      return unwrap(
        await api.POST('/api/v1/tickets/{id}/reopen', { params: { path }, headers, body: { reason: text } }),
      );
    });
    if (ok) {
      setDialog(null);
      setDialogText('');
    }
  };

  return (
    <LoadState loaded={{ ...loaded, data: ticket }}>
      {(tk) => (
        <Grid>
          <Grid.Col span={{ base: 12, md: 8 }}>
            <Stack>
              <Group>
                <Title order={2} data-testid="ticket-subject">
                  {tk.subject}
                </Title>
                <Badge size="lg" data-testid="ticket-status" data-status={tk.status}>
                  {t(`support.status.${tk.status}`)}
                </Badge>
                <Badge color={PRIORITY_COLOURS[tk.priority]}>{t(`support.priorities.${tk.priority}`)}</Badge>
              </Group>
              <Group gap="xs">
                <SlaBadge
                  label={t('support.firstResponse')}
                  dueAt={slaOf(tk).firstResponseDueAt}
                  metAt={slaOf(tk).firstRespondedAt}
                  startedAt={tk.createdAt}
                  paused={slaOf(tk).paused}
                  now={now}
                />
                <SlaBadge
                  label={t('support.resolution')}
                  dueAt={slaOf(tk).resolutionDueAt}
                  metAt={tk.resolvedAt}
                  startedAt={tk.createdAt}
                  paused={slaOf(tk).paused}
                  now={now}
                />
                <Text size="sm" data-testid="ticket-due">
                  {t('support.dueTimes', {
                    response: formatDateTime(tk.sla.firstResponseDueAt, i18n.language),
                    resolution: formatDateTime(tk.sla.resolutionDueAt, i18n.language),
                  })}
                </Text>
                <Text size="sm" c="dimmed">
                  {t('support.queueName')}: {tk.queue} · {t('support.level')} {tk.level} ·{' '}
                  {t('support.assignee')}: {tk.assigneeId || t('support.unassigned')}
                </Text>
              </Group>
              {problem && (
                <Alert color="red" data-testid="ticket-problem">
                  {problem}
                </Alert>
              )}
              {confirmationUrl && (
                <Alert color="green" title={t('support.confirmationLink')}>
                  <Anchor href={confirmationUrl} data-testid="confirmation-url" target="_blank">
                    {confirmationUrl}
                  </Anchor>
                </Alert>
              )}
              <Card withBorder>
                <Text style={{ whiteSpace: 'pre-wrap' }}>{tk.description}</Text>
              </Card>
              {tk.resolution && (
                <Card withBorder>
                  <Text fw={700}>{t('support.resolutionText')}</Text>
                  <Text style={{ whiteSpace: 'pre-wrap' }}>{tk.resolution}</Text>
                </Card>
              )}
              <Timeline bulletSize={18} lineWidth={2} data-testid="ticket-timeline">
                {timelineOf(tk).map((e, i) => (
                  <Timeline.Item
                    key={i}
                    title={
                      e.kind === 'status' && !e.from
                        ? t('support.opened')
                        : e.kind === 'status'
                          ? `${t(`support.status.${e.from}`, e.from)} → ${t(`support.status.${e.to}`, e.to)}`
                          : e.kind === 'escalation'
                            ? t('support.escalatedTo', { level: e.level, queue: e.toQueue || tk.queue })
                            : t(`support.timeline.${e.kind}`)
                    }
                    color={e.kind === 'note' ? 'yellow' : e.kind === 'escalation' ? 'red' : 'blue'}
                  >
                    {e.text && (
                      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                        {e.text}
                      </Text>
                    )}
                    <Text size="xs" c="dimmed">
                      {e.who} · {formatDateTime(e.at, i18n.language)}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
              {tk.status !== 'closed' && (
                <Card withBorder>
                  <Stack gap="xs">
                    <SegmentedControl
                      value={visibility}
                      onChange={(v) => setVisibility(v as 'public' | 'internal')}
                      data={[
                        { value: 'public', label: t('support.reply') },
                        { value: 'internal', label: t('support.note') },
                      ]}
                    />
                    <Textarea
                      aria-label={t('support.message')}
                      placeholder={t('support.composerHint')}
                      autosize
                      minRows={3}
                      value={composer}
                      onChange={(e) => setComposer(e.currentTarget.value)}
                      onKeyDown={getHotkeyHandler([['mod+Enter', () => void send()]])}
                    />
                    <Group justify="flex-end">
                      <Button onClick={() => void send()} loading={busy} disabled={!composer.trim()}>
                        {visibility === 'public' ? t('support.sendReply') : t('support.addNote')}
                      </Button>
                    </Group>
                  </Stack>
                </Card>
              )}
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Stack>
              <Card withBorder>
                <Stack gap="xs">
                  <Select
                    label={t('support.priority')}
                    value={tk.priority}
                    allowDeselect={false}
                    disabled={busy || tk.status === 'closed'}
                    data={PRIORITIES.map((p) => ({ value: p, label: t(`support.priorities.${p}`) }))}
                    onChange={(p) =>
                      p &&
                      p !== tk.priority &&
                      void change(async (ifMatch) =>
                        unwrap(
                          await api.PATCH('/api/v1/tickets/{id}', {
                            params: { path },
                            headers: { 'If-Match': ifMatch },
                            body: { priority: p as (typeof PRIORITIES)[number] },
                          }),
                        ),
                      )
                    }
                  />
                  <Button
                    variant="light"
                    disabled={busy || tk.status === 'closed'}
                    onClick={() =>
                      void change(async () =>
                        unwrap(await api.POST('/api/v1/tickets/{id}/assign', { params: { path }, body: {} })),
                      )
                    }
                  >
                    {t('support.takeIt')}
                  </Button>
                  <Button
                    variant="light"
                    color="orange"
                    disabled={busy || tk.status === 'closed'}
                    onClick={() => setDialog('escalate')}
                  >
                    {t('support.escalate')}
                  </Button>
                  {tk.status !== 'resolved' && tk.status !== 'closed' && (
                    <Button color="green" disabled={busy} onClick={() => setDialog('resolve')}>
                      {t('support.resolve')}
                    </Button>
                  )}
                  {tk.status === 'resolved' && (
                    <Button
                      color="gray"
                      disabled={busy}
                      onClick={() =>
                        void change(async (ifMatch) =>
                          unwrap(
                            await api.POST('/api/v1/tickets/{id}/close', {
                              params: { path },
                              headers: { 'If-Match': ifMatch },
                              body: {},
                            }),
                          ),
                        )
                      }
                    >
                      {t('support.close')}
                    </Button>
                  )}
                  {(tk.status === 'resolved' || tk.status === 'closed') && (
                    <Button variant="outline" disabled={busy} onClick={() => setDialog('reopen')}>
                      {t('support.reopen')}
                    </Button>
                  )}
                </Stack>
              </Card>
              <AccountBeside ticket={tk} />
            </Stack>
          </Grid.Col>
          <Modal
            opened={dialog !== null}
            onClose={() => setDialog(null)}
            title={dialog && t(`support.${dialog}`)}
          >
            <Stack>
              <Textarea
                data-autofocus
                aria-label={dialog === 'resolve' ? t('support.resolutionText') : t('support.reason')}
                label={dialog === 'resolve' ? t('support.resolutionText') : t('support.reason')}
                autosize
                minRows={3}
                value={dialogText}
                onChange={(e) => setDialogText(e.currentTarget.value)}
                onKeyDown={getHotkeyHandler([['mod+Enter', () => void confirmDialog()]])}
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setDialog(null)}>
                  {t('common.cancel')}
                </Button>
                <Button onClick={() => void confirmDialog()} loading={busy} disabled={!dialogText.trim()}>
                  {dialog && t(`support.${dialog}`)}
                </Button>
              </Group>
            </Stack>
          </Modal>
        </Grid>
      )}
    </LoadState>
  );
}

/** The account's key facts, its tier, and its other open tickets. */
function AccountBeside({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const { api } = useConsole();
  const { accountId, id: ticketId } = ticket;
  // Support agents may not read accounts (only the ticket service checks them): then the name and tier
  // the ticket kept from when it was opened show instead.
  const account = useLoaded(async () => {
    const res = await api.GET('/api/v1/accounts/{id}', { params: { path: { id: accountId } } });
    return res.response.status === 403 ? null : unwrap(res);
  }, [api, accountId]);
  const others = useLoaded(
    async () =>
      unwrap(await api.GET('/api/v1/tickets', { params: { query: { accountId, limit: 20 } } })).items.filter(
        (o) => o.id !== ticketId && o.status !== 'closed' && o.status !== 'resolved',
      ),
    [api, accountId, ticketId],
  );
  return (
    <Card withBorder data-testid="ticket-account">
      <LoadState loaded={account}>
        {(a) =>
          a === null ? (
            <Group>
              <Text fw={700} data-testid="ticket-account-name">
                {ticket.accountName ?? `${t('accounts.account')} ${accountId}`}
              </Text>
              {ticket.accountTier && (
                <Badge>
                  {t('accounts.tier')} {ticket.accountTier}
                </Badge>
              )}
            </Group>
          ) : (
            <Stack gap={4}>
              <Group>
                <Anchor component={Link} to={`/accounts/${a.id}`} fw={700}>
                  {a.name}
                </Anchor>
                <Badge>
                  {t('accounts.tier')} {a.tier}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed">
                {[a.industry, a.region, a.lifecycle].filter(Boolean).join(' · ')}
              </Text>
            </Stack>
          )
        }
      </LoadState>
      <Text fw={700} mt="sm">
        {t('accounts.openTickets')}
      </Text>
      <LoadState loaded={others}>
        {(list) =>
          list.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('accounts.noOpenTickets')}
            </Text>
          ) : (
            <Stack gap={2}>
              {list.map((o) => (
                <Anchor key={o.id} component={Link} to={`/tickets/${o.id}`} size="sm">
                  {o.subject}
                </Anchor>
              ))}
            </Stack>
          )
        }
      </LoadState>
    </Card>
  );
}
