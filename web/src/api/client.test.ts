import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiProblem } from './client';

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === null ? null : JSON.stringify(body), { status, headers });
}

describe('ApiClient', () => {
  it('sends the in-memory token as a bearer header and no cookies', async () => {
    const fetcher = vi.fn().mockResolvedValue(reply(200, { sessions: [] }));
    await new ApiClient(() => 'the-token', '', fetcher).sessions();
    const [url, init] = fetcher.mock.calls[0];
    expect(url).toBe('/v1/auth/sessions');
    expect(init.headers.Authorization).toBe('Bearer the-token');
    expect(init.credentials).toBe('omit');
  });

  it('turns problem+json into an ApiProblem with the code, detail and Retry-After', async () => {
    const fetcher = vi.fn().mockResolvedValue(
      reply(429, { code: 'rate_limited', detail: 'Too many attempts.' }, { 'Retry-After': '30' }),
    );
    const error = await new ApiClient(() => null, '', fetcher).login('a@b.c', 'x').catch((e) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', detail: 'Too many attempts.', retryAfterSeconds: 30 });
  });

  it('refuses to call an authenticated endpoint without a token', async () => {
    const fetcher = vi.fn();
    const error = await new ApiClient(() => null, '', fetcher).workspace().catch((e) => e);
    expect(error.signedOut).toBe(true);
    expect(fetcher).not.toHaveBeenCalled();
  });

  it('deletes the account with the password in the body', async () => {
    const fetcher = vi.fn().mockResolvedValue(new Response(null, { status: 202 }));
    await new ApiClient(() => 't', '', fetcher).deleteAccount('pw');
    const [url, init] = fetcher.mock.calls[0];
    expect(url).toBe('/v1/account');
    expect(init.method).toBe('DELETE');
    expect(JSON.parse(init.body)).toEqual({ password: 'pw' });
  });
});
