import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { ApiProblem, type ApiClient } from '../api/client';
import { SessionStore } from '../session';
import { DeleteAccountForm } from './DeleteAccountForm';

function renderForm(deleteAccount: ApiClient['deleteAccount']) {
  const onDeleted = vi.fn();
  render(<DeleteAccountForm api={{ deleteAccount } as ApiClient} onDeleted={onDeleted} />);
  return { onDeleted, password: screen.getByLabelText('Password'), submit: screen.getByRole('button', { name: 'Delete my account' }) };
}

const stores: SessionStore[] = [];

afterEach(() => {
  stores.splice(0).forEach((s) => s.close());
  window.history.replaceState(null, '', '/');
});

describe('DeleteAccountForm', () => {
  it('asks for the password before anything can be deleted', async () => {
    const deleteAccount = vi.fn().mockResolvedValue(undefined);
    const { onDeleted, password, submit } = renderForm(deleteAccount);
    expect(password).toBeRequired();
    expect(password).toHaveAttribute('type', 'password');
    expect(submit).toBeDisabled();
    await userEvent.click(submit);
    await userEvent.type(password, '{Enter}');
    expect(deleteAccount).not.toHaveBeenCalled();
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it('deletes the account with the password given, then hands over to sign out', async () => {
    const deleteAccount = vi.fn().mockResolvedValue(undefined);
    const { onDeleted, password, submit } = renderForm(deleteAccount);
    await userEvent.type(password, 'correct horse battery staple');
    await userEvent.click(submit);
    expect(deleteAccount).toHaveBeenCalledTimes(1);
    expect(deleteAccount).toHaveBeenCalledWith('correct horse battery staple');
    await vi.waitFor(() => expect(onDeleted).toHaveBeenCalledTimes(1));
  });

  it('shows why a wrong password was refused, next to the field, and deletes nothing', async () => {
    const deleteAccount = vi.fn().mockRejectedValue(
      new ApiProblem(401, 'invalid_credentials', 'The password is not right.', null));
    const { onDeleted, password, submit } = renderForm(deleteAccount);
    await userEvent.type(password, 'not my password');
    await userEvent.click(submit);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The password is not right.');
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription('The password is not right.');
    expect(onDeleted).not.toHaveBeenCalled();
    expect(submit).toBeEnabled();
  });
});

describe('the account page', () => {
  it('signs this tab out and goes to sign-up once the account is deleted', async () => {
    const deleteAccount = vi.fn().mockResolvedValue(undefined);
    const api = { sessions: vi.fn().mockResolvedValue([]), deleteAccount } as unknown as ApiClient;
    const store = new SessionStore('account-deletion', api);
    stores.push(store);
    store.signIn('token-1', { id: 'u1', email: 'ada@example.com' });
    window.history.replaceState(null, '', '/account');
    render(<App store={store} />);

    await userEvent.type(await screen.findByLabelText('Password'), 'correct horse battery staple');
    await userEvent.click(screen.getByRole('button', { name: 'Delete my account' }));

    expect(deleteAccount).toHaveBeenCalledWith('correct horse battery staple');
    await vi.waitFor(() => expect(store.signed).toBeNull());
    expect(window.location.pathname).toBe('/signup');
    expect(await screen.findByRole('button', { name: /create|sign up/i })).toBeInTheDocument();
  });
});
