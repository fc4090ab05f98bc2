/** Light or dark: one setting for the web app and the IDE inside it. Not a secret, so it may live in storage. */
export type Theme = 'light' | 'dark';

const KEY = 'coditect.theme';

export function savedTheme(): Theme {
  try {
    const value = window.localStorage.getItem(KEY);
    if (value === 'light' || value === 'dark') {
      return value;
    }
  } catch {
    // storage refused (privacy mode): follow the system
  }
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function saveTheme(theme: Theme): void {
  try {
    window.localStorage.setItem(KEY, theme);
  } catch {
    // not kept across visits then
  }
  document.documentElement.dataset.theme = theme;
}
