import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiProblem } from '../api/client';
import { AuthForm } from './AuthForm';

describe('AuthForm', () => {
  it('shows the server detail next to the field it concerns, announced and focused', async () => {
    const submit = vi.fn().mockRejectedValue(new ApiProblem(400, 'weak_password', 'Use at least 12 characters.', null));
    render(<AuthForm mode="signup" submit={submit} onSignedIn={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));

    const password = screen.getByLabelText('Password');
    expect(await screen.findByRole('alert')).toHaveTextContent('Use at least 12 characters.');
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription('Use at least 12 characters.');
    expect(password).toHaveFocus();
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('aria-invalid');
  });

  it('puts a taken email next to the email field', async () => {
    const submit = vi.fn().mockRejectedValue(new ApiProblem(409, 'email_taken', 'That email has an account.', null));
    render(<AuthForm mode="signup" submit={submit} onSignedIn={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery staple');
    await userEvent.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(await screen.findByText('That email has an account.')).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveFocus();
  });

  it('shows a rate limit with the wait the server asked for and holds the button until then', async () => {
    const submit = vi.fn().mockRejectedValue(new ApiProblem(429, 'rate_limited', 'Too many attempts.', 42));
    render(<AuthForm mode="login" submit={submit} onSignedIn={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong password here');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByText('Too many attempts. Try again in 42 seconds.')).toBeInTheDocument();
    const button = screen.getByRole('button', { name: /Wait 4[12] s/ });
    expect(button).toBeDisabled();
  });

  it('hands the signed-in answer on', async () => {
    const signed = { user: { id: 'u', email: 'ada@example.com' }, accessToken: 't', tokenType: 'Bearer', expiresIn: 60 };
    const onSignedIn = vi.fn();
    render(<AuthForm mode="login" submit={vi.fn().mockResolvedValue(signed)} onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByLabelText('Email'), ' ada@example.com ');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery staple');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(onSignedIn).toHaveBeenCalledWith(signed);
  });
});
