import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiProblem, type SignedIn } from '../api/client';

type Field = 'email' | 'password' | 'name';

/** Which field a server refusal is about, so its detail is shown (and announced) next to that field. */
const FIELD_OF_CODE: Record<string, Field> = {
  invalid_email: 'email',
  email_taken: 'email',
  weak_password: 'password',
  invalid_credentials: 'password',
  invalid_name: 'name',
};

export interface AuthFormProps {
  mode: 'signup' | 'login';
  submit: (email: string, password: string, name: string) => Promise<SignedIn>;
  onSignedIn: (signed: SignedIn) => void;
}

/** The sign-up and log-in form: labelled fields, server errors next to their field, rate limits with the wait. */
export function AuthForm({ mode, submit, onSignedIn }: AuthFormProps) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({});
  const [busy, setBusy] = useState(false);
  const [waitSeconds, setWaitSeconds] = useState(0);
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null), name: useRef<HTMLInputElement>(null) };
  const formError = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (waitSeconds <= 0) {
      return;
    }
    const timer = setTimeout(() => setWaitSeconds((s) => s - 1), 1000);
    return () => clearTimeout(timer);
  }, [waitSeconds]);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy || waitSeconds > 0) {
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      onSignedIn(await submit(email.trim(), password, name.trim()));
    } catch (e) {
      const problem = e instanceof ApiProblem ? e : new ApiProblem(0, 'unknown', String(e), null);
      if (problem.status === 429) {
        const wait = problem.retryAfterSeconds ?? 60;
        setWaitSeconds(wait);
        setErrors({ form: `${problem.detail} Try again in ${wait} seconds.` });
        formError.current?.focus();
      } else {
        const field = FIELD_OF_CODE[problem.code];
        if (field && (field !== 'name' || mode === 'signup')) {
          setErrors({ [field]: problem.detail });
          refs[field].current?.focus();
        } else {
          setErrors({ form: problem.detail });
          formError.current?.focus();
        }
      }
    } finally {
      setBusy(false);
    }
  }

  const field = (key: Field, label: string, type: string, value: string, set: (v: string) => void, autoComplete: string) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        ref={refs[key]}
        name={key}
        type={type}
        value={value}
        autoComplete={autoComplete}
        required={key !== 'name'}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={errors[key] ? `${id}-${key}-error` : undefined}
        onChange={(e) => set(e.target.value)}
      />
      {errors[key] && (
        <p id={`${id}-${key}-error`} className="error" role="alert">
          {errors[key]}
        </p>
      )}
    </div>
  );

  const title = mode === 'signup' ? 'Create your account' : 'Log in';
  return (
    <form className="card auth" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{title}</h1>
      {mode === 'signup' && field('name', 'Name (optional)', 'text', name, setName, 'name')}
      {field('email', 'Email', 'email', email, setEmail, 'email')}
      {field('password', 'Password', 'password', password, setPassword, mode === 'signup' ? 'new-password' : 'current-password')}
      <p ref={formError} tabIndex={-1} className="error" aria-live="assertive">
        {errors.form ?? ''}
      </p>
      <button type="submit" disabled={busy || waitSeconds > 0}>
        {waitSeconds > 0 ? `Wait ${waitSeconds} s` : busy ? 'Please wait…' : mode === 'signup' ? 'Sign up' : 'Log in'}
      </button>
    </form>
  );
}
