import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, type ApiClient, type User, type Workspace } from '../api/client';
import type { Theme } from '../theme';

/** What the footer says about the IDE's connection, from the messages the IDE's theme bridge sends. */
export type Connection =
  | { state: 'connecting' }
  | { state: 'online' }
  | { state: 'reconnecting'; code?: number }
  | { state: 'closed'; code?: number };

const CONNECTION_TEXT: Record<Connection['state'], string> = {
  connecting: 'Connecting to your IDE…',
  online: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
  closed: 'Disconnected',
};

export interface IdeWrapperProps {
  api: ApiClient;
  user: User;
  token: string;
  theme: Theme;
  onThemeChange: (theme: Theme) => void;
  onLogout: () => void;
  onSignedOut: () => void;
  signedOut: boolean;
  navigate: (path: string) => void;
  sessionCheckMillis?: number;
}

/** The IDE page: a header (product, workspace status, user menu) and footer (connection, docs) around Theia in a frame. */
export function IdeWrapper(props: IdeWrapperProps) {
  const { api, user, token, theme, onThemeChange, onLogout, onSignedOut, signedOut, navigate } = props;
  const [ws, setWs] = useState<Workspace | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting' });
  const [menuOpen, setMenuOpen] = useState(false);
  const frame = useRef<HTMLIFrameElement>(null);
  // the frame's first address carries the token once; the workspace turns it into its own cookie and drops it
  const [frameSrc, setFrameSrc] = useState<string | null>(null);

  const fail = useCallback(
    (e: unknown) => {
      if (e instanceof ApiProblem && e.signedOut) {
        onSignedOut();
      } else {
        setProblem(e instanceof ApiProblem ? e.detail : String(e));
      }
    },
    [onSignedOut],
  );

  useEffect(() => {
    let stop = false;
    async function load() {
      try {
        const current = await api.workspace();
        if (stop) {
          return;
        }
        setWs(current);
        if (current.status === 'running' && current.url) {
          const url = new URL(current.url);
          url.searchParams.set('access_token', token);
          setFrameSrc((src) => src ?? url.toString());
        } else if (current.status === 'provisioning' || current.status === 'requested') {
          setTimeout(load, 1500);
        }
      } catch (e) {
        fail(e);
      }
    }
    void load();
    return () => {
      stop = true;
    };
  }, [api, token, fail]);

  const origin = ws?.url ? new URL(ws.url).origin : null;

  const sendTheme = useCallback(
    (value: Theme) => {
      if (origin && frame.current?.contentWindow) {
        frame.current.contentWindow.postMessage({ type: 'coditect.theme', theme: value }, origin);
      }
    },
    [origin],
  );

  useEffect(() => {
    function onMessage(event: MessageEvent) {
      if (!origin || event.origin !== origin || event.source !== frame.current?.contentWindow) {
        return;
      }
      const data = event.data as { type?: string; state?: string; code?: number };
      if (data?.type === 'coditect.ide.ready') {
        sendTheme(theme);
      } else if (data?.type === 'coditect.connection') {
        if (data.state === 'online') {
          setConnection({ state: 'online' });
        } else if (data.code === 1008) {
          // the workspace refused the session: confirm with the platform, which says revoked or expired
          setConnection({ state: 'closed', code: 1008 });
          api.session().catch(fail);
        } else {
          // after a refusal, the reconnection attempts that fail too change nothing: it stays signed out
          setConnection((c) => (c.state === 'closed' && c.code === 1008 ? c : { state: 'reconnecting', code: data.code }));
        }
      }
    }
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [origin, theme, sendTheme, api, fail]);

  useEffect(() => {
    sendTheme(theme);
  }, [theme, sendTheme]);

  // a session that ends while the IDE is open (logout elsewhere, expiry) is noticed even with no socket to close
  useEffect(() => {
    if (signedOut) {
      return;
    }
    const timer = setInterval(() => api.session().catch(fail), props.sessionCheckMillis ?? 15000);
    return () => clearInterval(timer);
  }, [api, fail, signedOut, props.sessionCheckMillis]);

  const status = ws ? ws.status : 'loading';
  return (
    <div className="ide-page">
      <header className="ide-header">
        <span className="product">Coditect</span>
        <span className="ws-status" data-testid="ide-workspace-status">
          Workspace: {status}
        </span>
        <button
          type="button"
          className="secondary"
          aria-pressed={theme === 'dark'}
          onClick={() => onThemeChange(theme === 'dark' ? 'light' : 'dark')}
        >
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
        <div className="user-menu">
          <button type="button" className="secondary" aria-haspopup="menu" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
            {user.name || user.email}
          </button>
          {menuOpen && (
            <ul role="menu">
              <li role="none">
                <button role="menuitem" type="button" onClick={() => navigate('/workspace')}>Workspace</button>
              </li>
              <li role="none">
                <button role="menuitem" type="button" onClick={() => navigate('/account')}>Account</button>
              </li>
              <li role="none">
                <button role="menuitem" type="button" onClick={onLogout}>Log out</button>
              </li>
            </ul>
          )}
        </div>
      </header>
      <main className="ide-main">
        {frameSrc ? (
          <iframe ref={frame} title="IDE" src={frameSrc} className="ide-frame" allow="clipboard-read; clipboard-write" />
        ) : (
          <div className="card">
            <p role="status">
              {problem ??
                (ws && ws.status !== 'running' && ws.status !== 'provisioning' && ws.status !== 'requested'
                  ? `Your workspace is ${ws.status}.`
                  : 'Waiting for your workspace…')}
            </p>
            {ws && ws.status !== 'running' && (
              <button type="button" onClick={() => navigate('/workspace')}>Go to your workspace</button>
            )}
          </div>
        )}
        {signedOut && (
          <div className="overlay" role="alertdialog" aria-modal="true" aria-labelledby="signed-out-title">
            <div className="card">
              <h1 id="signed-out-title">You are signed out</h1>
              <p>Your session ended (logged out, revoked or expired), so the IDE is disconnected. Your files are kept.</p>
              <button type="button" autoFocus onClick={() => navigate('/login?next=/ide')}>
                Log in again
              </button>
            </div>
          </div>
        )}
      </main>
      <footer className="ide-footer">
        <span role="status" aria-live="polite" data-testid="ide-connection" data-state={connection.state}
              data-code={'code' in connection ? connection.code ?? '' : ''}>
          {signedOut ? 'Signed out' : CONNECTION_TEXT[connection.state]}
          {'code' in connection && connection.code ? ` (${connection.code})` : ''}
        </span>
        <a href="https://theia-ide.org/docs/user_getting_started/" target="_blank" rel="noreferrer">
          IDE documentation
        </a>
      </footer>
    </div>
  );
}
