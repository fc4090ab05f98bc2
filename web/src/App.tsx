import { useCallback, useEffect, useState } from 'react';
import { AuthForm } from './components/AuthForm';
import { DeleteAccountForm } from './components/DeleteAccountForm';
import { SessionList } from './components/SessionList';
import { WorkspacePanel } from './components/WorkspacePanel';
import { IdeWrapper } from './ide/IdeWrapper';
import { navigate, pageOf, usePath } from './navigation';
import type { Signed, SessionStore } from './session';
import { saveTheme, savedTheme, type Theme } from './theme';

/** Where to go after logging in: only a page of this app, never another site. */
function nextPage(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next && pageOf(next) ? next : '/workspace';
}

export function App({ store }: { store: SessionStore }) {
  const path = usePath();
  const [signed, setSigned] = useState<Signed | null>(store.signed);
  // the IDE page keeps showing the (dead) IDE under a "signed out" notice instead of vanishing
  const [lastSigned, setLastSigned] = useState<Signed | null>(store.signed);
  const [restoring, setRestoring] = useState(store.signed === null);
  const [theme, setTheme] = useState<Theme>(savedTheme());

  useEffect(() => store.subscribe((s) => {
    setSigned(s);
    if (s) {
      setLastSigned(s);
    }
  }), [store]);
  useEffect(() => {
    void store.restore().then(() => setRestoring(false));
  }, [store]);
  useEffect(() => saveTheme(theme), [theme]);

  const signedOut = useCallback(() => store.signOut(), [store]);
  const logout = useCallback(async () => {
    try {
      await store.api.logout();
    } catch {
      // already gone: signed out all the same
    }
    store.signOut();
    navigate('/login');
  }, [store]);

  const page = pageOf(path) ?? (signed ? 'workspace' : 'login');
  if (restoring) {
    return <p role="status" className="card">Loading…</p>;
  }
  if (page === 'ide' && (signed || lastSigned)) {
    const who = (signed ?? lastSigned)!;
    return (
      <IdeWrapper
        api={store.api}
        user={who.user}
        token={who.token}
        theme={theme}
        onThemeChange={setTheme}
        onLogout={logout}
        onSignedOut={signedOut}
        signedOut={!signed}
        navigate={navigate}
      />
    );
  }
  if (page === 'signup' || page === 'login' || !signed) {
    const mode = page === 'signup' ? 'signup' : 'login';
    return (
      <main className="narrow">
        {!signed && page !== 'login' && page !== 'signup' && (
          <p className="note" role="status">Log in to continue.</p>
        )}
        <AuthForm
          key={mode}
          mode={mode}
          submit={(email, password, name) =>
            mode === 'signup' ? store.api.signup(email, password, name) : store.api.login(email, password)
          }
          onSignedIn={(s) => {
            store.signIn(s.accessToken, s.user);
            navigate(page === 'login' || page === 'signup' ? nextPage() : path);
          }}
        />
        <p className="switch">
          {mode === 'signup' ? (
            <>Have an account? <a href="/login" onClick={(e) => { e.preventDefault(); navigate('/login'); }}>Log in</a></>
          ) : (
            <>New here? <a href="/signup" onClick={(e) => { e.preventDefault(); navigate('/signup'); }}>Create an account</a></>
          )}
        </p>
      </main>
    );
  }
  return (
    <div className="page">
      <header className="top">
        <span className="product">Coditect</span>
        <nav aria-label="Main">
          <a href="/workspace" aria-current={page === 'workspace' ? 'page' : undefined}
             onClick={(e) => { e.preventDefault(); navigate('/workspace'); }}>Workspace</a>
          <a href="/account" aria-current={page === 'account' ? 'page' : undefined}
             onClick={(e) => { e.preventDefault(); navigate('/account'); }}>Account</a>
        </nav>
        <span className="who">{signed.user.name || signed.user.email}</span>
        <button type="button" className="secondary" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
        <button type="button" className="secondary" onClick={logout}>Log out</button>
      </header>
      <main className="narrow">
        {page === 'account' ? (
          <>
            <SessionList api={store.api} onSignedOut={signedOut} />
            <DeleteAccountForm api={store.api} onDeleted={() => { store.signOut(); navigate('/signup'); }} />
          </>
        ) : (
          <WorkspacePanel api={store.api} onSignedOut={signedOut} onOpenIde={() => navigate('/ide')} />
        )}
      </main>
    </div>
  );
}
