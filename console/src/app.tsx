import { createContext, useContext } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import type { Api } from './api/client';
import type { Session } from './auth/session';
import { ConsoleShell } from './layout/console-shell';
import { LeadsPage } from './sales/leads-page';
import { LeadPage } from './sales/lead-page';
import { AccountPage } from './sales/account-page';
import { NotFoundPage } from './layout/not-found-page';
import { QueuePage } from './support/queue-page';
import { TicketPage } from './support/ticket-page';
import { SalesDashboardPage } from './analytics/sales-dashboard-page';
import { SupportDashboardPage } from './analytics/support-dashboard-page';

interface ConsoleContext {
  session: Session;
  api: Api;
}

const Context = createContext<ConsoleContext | null>(null);

/** The signed-in user and the API client, for every screen. */
export function useConsole(): ConsoleContext {
  const value = useContext(Context);
  if (!value) throw new Error('useConsole outside <App>');
  return value;
}

/** Support staff start in their queue; everyone else in the leads. */
export function isSupport(session: Session): boolean {
  return session.roles.some((r) => r === 'support-agent' || r === 'support-manager');
}

/** Who may read the service figures (the gateway's analytics.service.read): support staff and admins. */
export function readsServiceFigures(session: Session): boolean {
  return isSupport(session) || session.roles.includes('crm-admin');
}

/** Who works leads and accounts (the sales view). */
export function isSales(session: Session): boolean {
  return session.roles.some((r) => r === 'sales-rep' || r === 'sales-manager' || r === 'crm-admin');
}

export function App({ session, api }: ConsoleContext) {
  return (
    <Context.Provider value={{ session, api }}>
      <BrowserRouter>
        <Routes>
          <Route element={<ConsoleShell />}>
            <Route index element={<Navigate to={isSupport(session) ? '/queue' : '/leads'} replace />} />
            <Route path="queue" element={<QueuePage />} />
            <Route path="tickets/:id" element={<TicketPage />} />
            <Route path="leads" element={<LeadsPage />} />
            <Route path="leads/:id" element={<LeadPage />} />
            <Route path="accounts/:id" element={<AccountPage />} />
            <Route path="dashboards/sales" element={<SalesDashboardPage />} />
            <Route path="dashboards/support" element={<SupportDashboardPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </Context.Provider>
  );
}
