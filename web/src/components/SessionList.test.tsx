import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient, SessionListItem } from '../api/client';
import { SessionList } from './SessionList';

const sessions: SessionListItem[] = [
  { id: 's1', createdAt: '2026-01-01T10:00:00Z', lastAccessAt: '2026-01-01T11:00:00Z', userAgent: 'Firefox on Linux', current: true },
  { id: 's2', createdAt: '2026-01-02T10:00:00Z', lastAccessAt: null, userAgent: 'Chrome on Mac', current: false },
];

describe('SessionList', () => {
  it('lists each session with its device and marks the current one', async () => {
    const api = { sessions: vi.fn().mockResolvedValue(sessions) } as unknown as ApiClient;
    render(<SessionList api={api} onSignedOut={vi.fn()} />);
    const current = (await screen.findByText('Firefox on Linux')).closest('tr')!;
    expect(current).toHaveAttribute('aria-current', 'true');
    expect(within(current).getByText('(this session)')).toBeInTheDocument();
    expect(screen.getByText('Chrome on Mac').closest('tr')).not.toHaveAttribute('aria-current');
  });

  it('revokes another session and keeps this one signed in', async () => {
    const revokeSession = vi.fn().mockResolvedValue(undefined);
    const api = { sessions: vi.fn().mockResolvedValueOnce(sessions).mockResolvedValue([sessions[0]]), revokeSession } as unknown as ApiClient;
    const onSignedOut = vi.fn();
    render(<SessionList api={api} onSignedOut={onSignedOut} />);
    const other = (await screen.findByText('Chrome on Mac')).closest('tr')!;
    await userEvent.click(within(other).getByRole('button', { name: 'Revoke' }));
    expect(revokeSession).toHaveBeenCalledWith('s2');
    expect(await screen.findByText('Session revoked.')).toBeInTheDocument();
    expect(onSignedOut).not.toHaveBeenCalled();
  });

  it('logs out everywhere and signs this tab out', async () => {
    const api = { sessions: vi.fn().mockResolvedValue(sessions), logoutEverywhere: vi.fn().mockResolvedValue(undefined) } as unknown as ApiClient;
    const onSignedOut = vi.fn();
    render(<SessionList api={api} onSignedOut={onSignedOut} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Log out everywhere' }));
    expect(onSignedOut).toHaveBeenCalled();
  });
});
