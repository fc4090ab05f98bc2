import { useCallback, useEffect, useState } from 'react';
import { ApiProblem, type ApiClient, type SessionListItem } from '../api/client';

function when(value: string | null): string {
  return value ? new Date(value).toLocaleString() : '—';
}

export interface SessionListProps {
  api: ApiClient;
  onSignedOut: () => void;
}

/** The user's sessions (device, created, last access; this one marked), each revocable, and log out everywhere. */
export function SessionList({ api, onSignedOut }: SessionListProps) {
  const [sessions, setSessions] = useState<SessionListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');

  const fail = useCallback(
    (e: unknown) => {
      if (e instanceof ApiProblem && e.signedOut) {
        onSignedOut();
      } else {
        setError(e instanceof ApiProblem ? e.detail : String(e));
      }
    },
    [onSignedOut],
  );

  const load = useCallback(async () => {
    try {
      setSessions(await api.sessions());
    } catch (e) {
      fail(e);
    }
  }, [api, fail]);

  useEffect(() => {
    void load();
  }, [load]);

  async function revoke(session: SessionListItem) {
    try {
      await api.revokeSession(session.id);
      if (session.current) {
        onSignedOut();
        return;
      }
      setNotice('Session revoked.');
      await load();
    } catch (e) {
      fail(e);
    }
  }

  async function everywhere() {
    try {
      await api.logoutEverywhere();
      onSignedOut();
    } catch (e) {
      fail(e);
    }
  }

  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p aria-live="polite" className="note">{notice}</p>
      {error && <p className="error" role="alert">{error}</p>}
      {sessions === null ? (
        <p role="status">Loading…</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Created</th>
              <th scope="col">Last access</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id} aria-current={s.current ? 'true' : undefined}>
                <td>
                  {s.userAgent || 'Unknown device'}
                  {s.current && <strong className="badge"> (this session)</strong>}
                </td>
                <td>{when(s.createdAt)}</td>
                <td>{when(s.lastAccessAt)}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => revoke(s)}>
                    {s.current ? 'Log out' : 'Revoke'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="danger" onClick={everywhere}>
        Log out everywhere
      </button>
    </section>
  );
}
