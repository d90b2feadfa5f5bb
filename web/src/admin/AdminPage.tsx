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
  const tab =
    path === '/admin/edges'
      ? 'edges'
      : path === '/admin/health'
        ? 'health'
        : path === '/admin/users'
          ? 'users'
          : path === '/admin/analytics'
            ? 'analytics'
            : path === '/admin/mail'
              ? 'mail'
              : path === '/admin/chaos'
                ? 'chaos'
                : 'titles';
  return (
    <>
      <Header />
      <main className="admin">
        <nav className="tabs" aria-label="Admin">
          <Link href="/admin" aria-current={tab === 'titles' ? 'page' : undefined}>
            Titles &amp; uploads
          </Link>
          <Link href="/admin/users" aria-current={tab === 'users' ? 'page' : undefined}>
            Users
          </Link>
          <Link href="/admin/edges" aria-current={tab === 'edges' ? 'page' : undefined}>
            Edges
          </Link>
          <Link href="/admin/health" aria-current={tab === 'health' ? 'page' : undefined}>
            Health &amp; queue
          </Link>
          <Link href="/admin/analytics" aria-current={tab === 'analytics' ? 'page' : undefined}>
            Analytics
          </Link>
          <Link href="/admin/mail" aria-current={tab === 'mail' ? 'page' : undefined}>
            Mail
          </Link>
          <Link href="/admin/chaos" aria-current={tab === 'chaos' ? 'page' : undefined}>
            Chaos
          </Link>
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
