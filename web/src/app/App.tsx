import { Suspense, useEffect } from 'react';
import { AuthPage } from '../pages/AuthPage';
import { SingleSignOnPage } from '../pages/SingleSignOnPage';
import { HomePage } from '../pages/HomePage';
import { MyListPage } from '../pages/MyListPage';
import { ProfilesPage } from '../pages/ProfilesPage';
import { SearchPage } from '../pages/SearchPage';
import { TitlePage } from '../pages/TitlePage';
import { AdminPage, PlayerPage } from './lazy-pages';
import {
  AccountPage,
  ForgotPasswordPage,
  ResetPasswordPage,
  SIGNED_OUT_PAGES,
  VerifyEmailPage,
} from '../pages/account/lazy';
import { match, navigate, useLocation } from './router';
import { SessionProvider, useSession } from './session';

function Routes() {
  const { path } = useLocation();
  const { tokens, profile } = useSession();
  const publicPage =
    path === '/login' || path === '/signup' || path === '/sso-complete' || SIGNED_OUT_PAGES.includes(path);

  // Guards: signed-out viewers go to sign-in; signed-in viewers pick a profile first.
  const redirect =
    !tokens && !publicPage
      ? '/login'
      : tokens &&
          !profile &&
          !publicPage &&
          path !== '/profiles' &&
          path !== '/account' &&
          !path.startsWith('/admin')
        ? '/profiles'
        : null;
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  if (redirect) return null;

  if (path === '/login') return <AuthPage mode="signin" />;
  if (path === '/signup') return <AuthPage mode="signup" />;
  if (path === '/sso-complete') return <SingleSignOnPage />;
  if (path === '/forgot-password') return <ForgotPasswordPage />;
  if (path === '/reset-password') return <ResetPasswordPage />;
  if (path === '/verify-email') return <VerifyEmailPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/profiles') return <ProfilesPage />;
  if (path === '/' || path === '/browse') return <HomePage />;
  if (path === '/search') return <SearchPage />;
  if (path === '/my-list') return <MyListPage />;
  if (path.startsWith('/admin')) return <AdminPage />;
  let params = match('/title/:titleId', path);
  if (params) return <TitlePage key={params.titleId} titleId={params.titleId!} />;
  params = match('/watch/:titleId', path);
  if (params) return <PlayerPage key={params.titleId} titleId={params.titleId!} />;
  return (
    <main className="player-message">
      <h1>Page not found</h1>
      <button className="primary" onClick={() => navigate('/')}>
        Go home
      </button>
    </main>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Suspense fallback={null}>
        <Routes />
      </Suspense>
    </SessionProvider>
  );
}
