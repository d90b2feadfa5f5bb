import { lazy, Suspense } from 'react';
import { Link, useLocation } from '../app/router';
import { useSession } from '../app/session';
import { Header } from '../components/Header';
import { BackupPanel } from './BackupPanel';
import { ChaosPanel } from './ChaosPanel';
import { MailPanel } from './MailPanel';
import { EdgesPanel, HealthPanel } from './StatusPanels';
import { TitlesPanel } from './TitlesPanel';
import { UsersPanel } from './UsersPanel';

// Its chart library loads with it, not with the console.
const AnalyticsPanel = lazy(() =>
  import('./analytics/AnalyticsPanel').then((m) => ({ default: m.AnalyticsPanel })),
);

/** The console's tabs, in the order they show; any other /admin path is the first. */
const TABS = [
  { id: 'titles', path: '/admin', label: 'Titles & uploads' },
  { id: 'users', path: '/admin/users', label: 'Users' },
  { id: 'edges', path: '/admin/edges', label: 'Edges' },
  { id: 'health', path: '/admin/health', label: 'Health & queue' },
  { id: 'analytics', path: '/admin/analytics', label: 'Analytics' },
  { id: 'mail', path: '/admin/mail', label: 'Mail' },
  { id: 'chaos', path: '/admin/chaos', label: 'Chaos' },
] as const;

export function AdminPage() {
  const { account } = useSession();
  const { path } = useLocation();
  if (account && account.role !== 'admin') {
    return (
      <>
        <Header />
        <main className="admin">
          <p className="error">The admin console needs an admin account.</p>
        </main>
      </>
    );
  }
  const tab = TABS.find((t) => t.path === path)?.id ?? 'titles';
  return (
    <>
      <Header />
      <main className="admin">
        <nav className="tabs" aria-label="Admin">
          {TABS.map((t) => (
            <Link key={t.id} href={t.path} aria-current={tab === t.id ? 'page' : undefined}>
              {t.label}
            </Link>
          ))}
        </nav>
        {tab === 'titles' && <TitlesPanel />}
        {tab === 'users' && <UsersPanel />}
        {tab === 'edges' && <EdgesPanel />}
        {tab === 'health' && <HealthPanel />}
        {tab === 'health' && <BackupPanel />}
        {tab === 'mail' && <MailPanel />}
        {tab === 'chaos' && <ChaosPanel />}
        {tab === 'analytics' && (
          <Suspense fallback={<p className="hint">Loading analytics…</p>}>
            <AnalyticsPanel />
          </Suspense>
        )}
      </main>
    </>
  );
}
