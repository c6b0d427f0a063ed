import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso/router';
import { api, setCsrfToken, SIGN_IN_PATH } from './api.js';
import { AuditPage } from './pages/audit.js';
import { ChatPage } from './pages/chat.js';
import { ChunkPage } from './pages/chunk.js';
import { DocumentsPage } from './pages/documents.js';
import { MetricsPage } from './pages/metrics.js';
import { OverviewPage } from './pages/overview.js';
import { ReindexPage } from './pages/reindex.js';
import { SearchPage } from './pages/search.js';
import { SignInPage } from './pages/sign-in.js';
import type { Session } from './types.js';
import { ErrorMessage, Page } from './ui.js';

const NAV = [
  { href: '/admin', label: 'Index' },
  { href: '/admin/documents', label: 'Documents' },
  { href: '/admin/reindex', label: 'Re-index' },
  { href: '/admin/search', label: 'Search debug' },
  { href: '/admin/chat', label: 'Chat' },
  { href: '/admin/audit', label: 'Audit trail' },
  { href: '/admin/metrics', label: 'Metrics' },
];

function Shell() {
  const { path } = useLocation();
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    api<Session>('GET', '/v1/admin/session').then((found) => {
      setCsrfToken(found.csrfToken);
      setSession(found);
    }, setError);
  }, []);

  const signOut = async () => {
    try {
      await api('DELETE', '/v1/admin/session');
    } finally {
      setCsrfToken(null);
      location.assign(SIGN_IN_PATH);
    }
  };

  if (!session) return <main id="main">{error ? <ErrorMessage error={error} /> : <p>Loading…</p>}</main>;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">LLM assistant · admin</span>
        <nav aria-label="Console">
          {NAV.map((item) => (
            <a key={item.href} href={item.href} aria-current={isCurrent(path, item.href) ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <span class="who">
          Signed in as <strong>{session.client.name}</strong>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Router>
          <Route path="/admin" component={OverviewPage} />
          <Route path="/admin/documents" component={DocumentsPage} />
          <Route path="/admin/chunks/:id" component={ChunkPage} />
          <Route path="/admin/reindex" component={ReindexPage} />
          <Route path="/admin/search" component={SearchPage} />
          <Route path="/admin/chat" component={ChatPage} />
          <Route path="/admin/audit" component={AuditPage} />
          <Route path="/admin/metrics" component={MetricsPage} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </>
  );
}

function isCurrent(path: string, href: string): boolean {
  return href === '/admin' ? path === '/admin' || path === '/admin/' : path.startsWith(href);
}

function NotFound() {
  return (
    <Page title="Not found">
      <p>
        No such page. <a href="/admin">Back to the index.</a>
      </p>
    </Page>
  );
}

function App() {
  const { path } = useLocation();
  return path === SIGN_IN_PATH ? <SignInPage /> : <Shell />;
}

render(
  <LocationProvider scope="/admin">
    <App />
  </LocationProvider>,
  document.getElementById('app')!,
);
