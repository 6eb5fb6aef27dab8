import { AppShell, Button, Group, NavLink, SegmentedControl, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router-dom';
import { isSales, isSupport, readsServiceFigures, useConsole } from '../app';
import { LANGUAGES } from '../i18n/i18n';

/** Header (user, language switch, sign out), navigation, and the current screen. */
export function ConsoleShell() {
  const { t, i18n } = useTranslation();
  const { session } = useConsole();
  const { pathname } = useLocation();
  const language = i18n.resolvedLanguage ?? 'en';
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3}>{t('app.name')}</Title>
          <Group>
            <SegmentedControl
              aria-label={t('app.language')}
              data-testid="language-switch"
              size="xs"
              value={language}
              onChange={(lng) => void i18n.changeLanguage(lng)}
              data={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
            />
            <Text size="sm" data-testid="user-name">
              {session.userName}
            </Text>
            <Button variant="subtle" size="xs" onClick={() => void session.signOut()}>
              {t('app.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {isSupport(session) && (
          <NavLink
            component={RouterLink}
            to="/queue"
            label={t('nav.queue')}
            active={pathname.startsWith('/queue') || pathname.startsWith('/tickets')}
          />
        )}
        {isSales(session) && (
          <NavLink
            component={RouterLink}
            to="/leads"
            label={t('nav.leads')}
            active={pathname.startsWith('/leads')}
          />
        )}
        {isSales(session) && (
          <NavLink
            component={RouterLink}
            to="/dashboards/sales"
            label={t('nav.salesDashboard')}
            active={pathname.startsWith('/dashboards/sales')}
          />
        )}
        {readsServiceFigures(session) && (
          <NavLink
            component={RouterLink}
            to="/dashboards/support"
            label={t('nav.supportDashboard')}
            active={pathname.startsWith('/dashboards/support')}
          />
        )}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
