import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from './session';

const user = { id: 'u1', email: 'ada@example.com' };
const open: SessionStore[] = [];

function tab(channel: string): SessionStore {
  const store = new SessionStore(channel);
  open.push(store);
  return store;
}

afterEach(() => {
  open.splice(0).forEach((s) => s.close());
});

describe('SessionStore', () => {
  it('hands the token of an open tab to a new tab, and keeps it out of storage', async () => {
    const first = tab('handover');
    first.signIn('token-1', user);
    const second = tab('handover');
    expect(await second.restore(5000)).toBe(true);
    expect(second.signed).toEqual({ token: 'token-1', user });
    expect(JSON.stringify({ ...window.localStorage })).not.toContain('token-1');
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain('token-1');
  });

  it('signs every tab out when one logs out', async () => {
    const first = tab('logout');
    const second = tab('logout');
    first.signIn('token-2', user);
    await expect.poll(() => second.signed?.token, { timeout: 5000 }).toBe('token-2');
    second.signOut();
    await expect.poll(() => first.signed, { timeout: 5000 }).toBeNull();
  });

  it('finds nobody signed in when no other tab answers', async () => {
    expect(await tab('alone').restore(50)).toBe(false);
  });
});
