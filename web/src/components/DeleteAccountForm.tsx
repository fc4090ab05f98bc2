import { useId, useState, type FormEvent } from 'react';
import { ApiProblem, type ApiClient } from '../api/client';

export interface DeleteAccountFormProps {
  api: ApiClient;
  onDeleted: () => void;
}

/** Deletes the account, workspace and files included, after the password is given again. */
export function DeleteAccountForm({ api, onDeleted }: DeleteAccountFormProps) {
  const id = useId();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.deleteAccount(password);
      onDeleted();
    } catch (e) {
      setError(e instanceof ApiProblem ? e.detail : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Delete account</h2>
      <p className="note">This removes your account, your workspace and its files. It cannot be undone.</p>
      <div className="field">
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p id={`${id}-error`} className="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <button type="submit" className="danger" disabled={busy || password === ''}>
        Delete my account
      </button>
    </form>
  );
}
