import { useEffect, useRef, useState } from 'react';
import { Link, navigate, useLocation } from '../app/router';
import { useSession } from '../app/session';
import { accessTokenRole } from '../app/token-role';
import { Avatar } from './Avatar';

export function Header() {
  const session = useSession();
  const { path, query } = useLocation();
  const [q, setQ] = useState(path === '/search' ? (query.get('q') ?? '') : '');
  const [menu, setMenu] = useState(false);
  const timer = useRef<number | undefined>(undefined);

  // Search as you type: update the URL (and so the results) 200 ms after the last key.
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const onSearch = (value: string) => {
    setQ(value);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      const to = value.trim() ? `/search?q=${encodeURIComponent(value.trim())}` : '/';
      navigate(to, { replace: path === '/search' });
    }, 200);
  };

  return (
    <header className="top">
      <Link href="/" className="logo" aria-label="Marquee home">
        MARQUEE
      </Link>
      <nav aria-label="Main">
        <Link href="/" aria-current={path === '/' ? 'page' : undefined}>
          Home
        </Link>
        <Link href="/my-list" aria-current={path === '/my-list' ? 'page' : undefined}>
          My List
        </Link>
        {/* The token's role, not the account's: an admin not yet enrolled in a required two-step
            sign-in holds viewer tokens, and the console would only show refusals. */}
        {session.tokens && accessTokenRole(session.tokens.accessToken) === 'admin' && (
          <Link href="/admin" aria-current={path.startsWith('/admin') ? 'page' : undefined}>
            Admin
          </Link>
        )}
      </nav>
      <input
        className="search"
        type="search"
        placeholder="Titles, genres"
        aria-label="Search titles"
        value={q}
        onChange={(e) => onSearch(e.target.value)}
      />
      {session.tokens && (
        <div className="profile-menu">
          <button
            className="icon"
            aria-haspopup="menu"
            aria-expanded={menu}
            onClick={() => setMenu((m) => !m)}
            aria-label="Account menu"
          >
            <Avatar
              name={session.profile?.name ?? session.account?.email ?? '?'}
              kids={session.profile?.kids ?? false}
              small
            />
          </button>
          {menu && (
            <ul role="menu" className="menu" onClick={() => setMenu(false)}>
              <li role="none">
                <Link role="menuitem" href="/profiles">
                  {session.profile ? 'Switch profile' : 'Choose a profile'}
                </Link>
              </li>
              <li role="none">
                <Link role="menuitem" href="/account">
                  Account
                </Link>
              </li>
              <li role="none">
                <button
                  role="menuitem"
                  onClick={() => {
                    void session.signOut().then(() => navigate('/login'));
                  }}
                >
                  Sign out
                </button>
              </li>
            </ul>
          )}
        </div>
      )}
    </header>
  );
}
