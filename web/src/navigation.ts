import { useEffect, useState } from 'react';

/** The app's pages by path; the platform serves index.html for each of them. */
export type Page = 'login' | 'signup' | 'workspace' | 'account' | 'ide';

const PATHS: Record<string, Page> = {
  '/login': 'login',
  '/signup': 'signup',
  '/workspace': 'workspace',
  '/account': 'account',
  '/ide': 'ide',
};

export function pageOf(pathname: string): Page | null {
  return PATHS[pathname.replace(/\/+$/, '') || '/'] ?? null;
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return path;
}
