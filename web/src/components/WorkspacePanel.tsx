import { useCallback, useEffect, useState } from 'react';
import { ApiProblem, type ApiClient, type Workspace } from '../api/client';

const LABEL: Record<Workspace['status'], string> = {
  requested: 'Requested',
  provisioning: 'Setting up',
  running: 'Running',
  stopping: 'Stopping',
  stopped: 'Stopped',
  failed: 'Failed',
};

/** Statuses that change by themselves, so the panel keeps asking. */
const MOVING = new Set<Workspace['status']>(['requested', 'provisioning', 'stopping']);

function seconds(millis: number | null | undefined): string {
  // phases are timed by different observers; a phase seen as done before the previous one shows as 0
  return millis == null ? '…' : `${(Math.max(0, millis) / 1000).toFixed(1)} s`;
}

export interface WorkspacePanelProps {
  api: ApiClient;
  onSignedOut: () => void;
  onOpenIde: () => void;
  pollMillis?: number;
}

/** The user's workspace: status with its provisioning phases as they happen, start, stop, open the IDE, and why it stopped. */
export function WorkspacePanel({ api, onSignedOut, onOpenIde, pollMillis = 1500 }: WorkspacePanelProps) {
  const [ws, setWs] = useState<Workspace | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setWs(await api.workspace());
      setError(null);
    } catch (e) {
      if (e instanceof ApiProblem && e.signedOut) {
        onSignedOut();
      } else {
        setError(e instanceof ApiProblem ? e.detail : String(e));
      }
    }
  }, [api, onSignedOut]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (!ws || !MOVING.has(ws.status)) {
      return;
    }
    const timer = setTimeout(() => void refresh(), pollMillis);
    return () => clearTimeout(timer);
  }, [ws, refresh, pollMillis]);

  async function act(action: () => Promise<Workspace>) {
    setBusy(true);
    try {
      setWs(await action());
      setError(null);
    } catch (e) {
      setError(e instanceof ApiProblem ? e.detail : String(e));
    } finally {
      setBusy(false);
      void refresh();
    }
  }

  if (!ws) {
    return (
      <section className="card" aria-busy={!error}>
        <h1>Your workspace</h1>
        <p role="status">{error ?? 'Loading…'}</p>
      </section>
    );
  }
  const p = ws.provisioning;
  return (
    <section className="card" aria-labelledby="workspace-title">
      <h1 id="workspace-title">Your workspace</h1>
      <p role="status" aria-live="polite">
        Status: <strong data-testid="workspace-status">{LABEL[ws.status]}</strong>
      </p>
      {p && (
        <ol className="phases" aria-label="Provisioning phases">
          <li>Requested</li>
          <li>Placed {p.applyMillis != null ? `after ${seconds(p.applyMillis)}` : '…'}</li>
          <li>Scheduled {p.scheduleMillis != null ? `after ${seconds(p.scheduleMillis)}` : '…'}</li>
          <li>Ready {p.readyMillis != null ? `after ${seconds(p.readyMillis)} (total ${seconds(p.totalMillis)})` : '…'}</li>
        </ol>
      )}
      {ws.message && <p className={ws.status === 'failed' ? 'error' : 'note'}>{ws.message}</p>}
      {ws.status === 'stopped' && !ws.message && <p className="note">Stopped{ws.updatedAt ? ` at ${new Date(ws.updatedAt).toLocaleString()}` : ''}.</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        {ws.status === 'running' && (
          <button type="button" onClick={onOpenIde}>
            Open IDE
          </button>
        )}
        {(ws.status === 'stopped' || ws.status === 'failed' || ws.status === 'requested') && (
          <button type="button" disabled={busy} onClick={() => act(() => api.startWorkspace())}>
            Start
          </button>
        )}
        {(ws.status === 'running' || ws.status === 'provisioning') && (
          <button type="button" className="secondary" disabled={busy} onClick={() => act(() => api.stopWorkspace())}>
            Stop
          </button>
        )}
      </div>
    </section>
  );
}
