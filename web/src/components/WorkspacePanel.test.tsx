import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient, Workspace } from '../api/client';
import { WorkspacePanel } from './WorkspacePanel';

function ws(status: Workspace['status'], extra: Partial<Workspace> = {}): Workspace {
  return { id: 'w1', status, url: 'http://127.0.0.1:9000/', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
    lastActivityAt: null, message: null, ...extra };
}

describe('WorkspacePanel', () => {
  it('follows provisioning phase by phase until running, then offers the IDE', async () => {
    const workspace = vi.fn()
      .mockResolvedValueOnce(ws('provisioning', { provisioning: { applyMillis: 120, scheduleMillis: null, readyMillis: null, totalMillis: null } }))
      .mockResolvedValue(ws('running', { provisioning: { applyMillis: 120, scheduleMillis: 800, readyMillis: 2100, totalMillis: 3020 } }));
    const onOpenIde = vi.fn();
    render(<WorkspacePanel api={{ workspace } as unknown as ApiClient} onSignedOut={vi.fn()} onOpenIde={onOpenIde} pollMillis={10} />);

    expect(await screen.findByText('Setting up')).toBeInTheDocument();
    expect(screen.getByText('Placed after 0.1 s')).toBeInTheDocument();
    expect(await screen.findByText('Running')).toBeInTheDocument();
    expect(screen.getByText('Ready after 2.1 s (total 3.0 s)')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Open IDE' }));
    expect(onOpenIde).toHaveBeenCalled();
  });

  it('says why a workspace stopped and starts it again', async () => {
    const stopped = ws('stopped', { message: 'Stopped after 30 minutes without activity.' });
    const startWorkspace = vi.fn().mockResolvedValue(ws('requested'));
    const workspace = vi.fn().mockResolvedValueOnce(stopped).mockResolvedValue(ws('running'));
    render(<WorkspacePanel api={{ workspace, startWorkspace } as unknown as ApiClient} onSignedOut={vi.fn()} onOpenIde={vi.fn()} pollMillis={10} />);
    expect(await screen.findByText('Stopped after 30 minutes without activity.')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Start' }));
    expect(startWorkspace).toHaveBeenCalled();
    expect(await screen.findByText('Running')).toBeInTheDocument();
  });

  it('shows a failed workspace with its message as an error', async () => {
    const workspace = vi.fn().mockResolvedValue(ws('failed', { message: 'The IDE stopped (exit 1).' }));
    render(<WorkspacePanel api={{ workspace } as unknown as ApiClient} onSignedOut={vi.fn()} onOpenIde={vi.fn()} />);
    expect(await screen.findByText('The IDE stopped (exit 1).')).toHaveClass('error');
  });
});
