import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiProblem, type ApiClient, type Workspace } from '../api/client';
import { IdeWrapper } from './IdeWrapper';

const WORKSPACE: Workspace = { id: 'w1', status: 'running', url: 'http://127.0.0.1:9000/', createdAt: '', updatedAt: '',
  lastActivityAt: null, message: null };
const user = { id: 'u1', email: 'ada@example.com', name: 'Ada' };

function renderWrapper(api: Partial<ApiClient>, props: Partial<Parameters<typeof IdeWrapper>[0]> = {}) {
  const onSignedOut = vi.fn();
  const onThemeChange = vi.fn();
  const utils = render(
    <IdeWrapper api={{ workspace: vi.fn().mockResolvedValue(WORKSPACE), session: vi.fn().mockResolvedValue({}), ...api } as ApiClient}
      user={user} token="tok" theme="dark" onThemeChange={onThemeChange} onLogout={vi.fn()} onSignedOut={onSignedOut}
      signedOut={false} navigate={vi.fn()} {...props} />,
  );
  return { ...utils, onSignedOut, onThemeChange };
}

function fromIde(frame: HTMLIFrameElement, data: unknown, origin = 'http://127.0.0.1:9000') {
  act(() => {
    window.dispatchEvent(new MessageEvent('message', { data, origin, source: frame.contentWindow }));
  });
}

/** The frame, once the wrapper listens to it (its listener is attached after the frame appears). */
async function listeningFrame() {
  const frame = (await screen.findByTitle('IDE')) as HTMLIFrameElement;
  const post = vi.spyOn(frame.contentWindow!, 'postMessage');
  await vi.waitFor(() => {
    fromIde(frame, { type: 'coditect.ide.ready' });
    expect(post).toHaveBeenCalledWith({ type: 'coditect.theme', theme: 'dark' }, 'http://127.0.0.1:9000');
  }, { timeout: 10000 });
  return { frame, post };
}

describe('IdeWrapper', () => {
  it('frames the workspace with the token once in the frame address, with product, status and user in the header', async () => {
    renderWrapper({});
    const frame = (await screen.findByTitle('IDE')) as HTMLIFrameElement;
    expect(frame.src).toBe('http://127.0.0.1:9000/?access_token=tok');
    expect(screen.getByText('Coditect')).toBeInTheDocument();
    expect(screen.getByTestId('ide-workspace-status')).toHaveTextContent('running');
    expect(screen.getByRole('button', { name: 'Ada' })).toBeInTheDocument();
    expect(window.location.href).not.toContain('tok');
  });

  it('sends the theme to the IDE only, on its origin, when it is ready', async () => {
    renderWrapper({});
    const { frame, post } = await listeningFrame();
    post.mockClear();
    fromIde(frame, { type: 'coditect.ide.ready' });
    expect(post).toHaveBeenCalledWith({ type: 'coditect.theme', theme: 'dark' }, 'http://127.0.0.1:9000');
    expect(post).toHaveBeenCalledTimes(1);
  });

  it('ignores messages from any other origin', async () => {
    renderWrapper({});
    const { frame } = await listeningFrame();
    fromIde(frame, { type: 'coditect.connection', state: 'online' }, 'https://evil.example');
    expect(screen.getByTestId('ide-connection')).toHaveAttribute('data-state', 'connecting');
    fromIde(frame, { type: 'coditect.connection', state: 'online' });
    expect(screen.getByTestId('ide-connection')).toHaveTextContent('Connected');
  });

  it('shows reconnecting when the connection drops (1006) and asks nothing of the platform', async () => {
    const session = vi.fn().mockResolvedValue({});
    renderWrapper({ session });
    const { frame } = await listeningFrame();
    fromIde(frame, { type: 'coditect.connection', state: 'closed', code: 1006 });
    expect(screen.getByTestId('ide-connection')).toHaveTextContent('Connection lost, reconnecting… (1006)');
    expect(session).not.toHaveBeenCalled();
  });

  it('on 1008 asks the platform and signs out when the session is gone', async () => {
    const session = vi.fn().mockRejectedValue(new ApiProblem(401, 'session_revoked', 'Signed out.', null));
    const { onSignedOut } = renderWrapper({ session });
    const { frame } = await listeningFrame();
    fromIde(frame, { type: 'coditect.connection', state: 'closed', code: 1008 });
    await vi.waitFor(() => expect(onSignedOut).toHaveBeenCalled(), { timeout: 10000 });
  });

  it('covers the IDE with a signed-out notice that offers to log in again', async () => {
    renderWrapper({}, { signedOut: true });
    expect(await screen.findByRole('alertdialog', { name: 'You are signed out' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Log in again' })).toHaveFocus();
    expect(screen.getByTestId('ide-connection')).toHaveTextContent('Signed out');
  });

  it('switches the theme from the header', async () => {
    const { onThemeChange } = renderWrapper({});
    await userEvent.click(screen.getByRole('button', { name: 'Light theme' }));
    expect(onThemeChange).toHaveBeenCalledWith('light');
  });
});

describe('IdeWrapper after a refusal', () => {
  it('stays on the refusal when the reconnection attempts fail afterwards', async () => {
    renderWrapper({ session: vi.fn().mockResolvedValue({}) });
    const { frame } = await listeningFrame();
    fromIde(frame, { type: 'coditect.connection', state: 'closed', code: 1008 });
    fromIde(frame, { type: 'coditect.connection', state: 'closed', code: 1006 });
    expect(screen.getByTestId('ide-connection')).toHaveAttribute('data-code', '1008');
  });
});
