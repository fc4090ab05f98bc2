/**
 * The one typed client of the platform's HTTP API (docs/openapi.yaml). The access token lives only in memory: never
 * in localStorage or a cookie of this site, never in a URL of this site. Requests carry it as a bearer header,
 * which a cross-site page cannot make a browser send, so state-changing calls are CSRF-safe without a CSRF token.
 * Tabs of this app share the token over a BroadcastChannel (see session.ts), so a new tab needs no new login.
 */

export interface User {
  id: string;
  email: string;
  name?: string | null;
}

export interface SessionInfo {
  id: string;
  userId: string;
  tenantId: string;
  createdAt: string;
  expiresAt: string;
  idleExpiresAt?: string;
  lastAccessAt?: string | null;
}

export interface SignedIn {
  user: User;
  session?: SessionInfo;
  accessToken: string;
  tokenType: string;
  expiresIn: number;
}

export interface SessionListItem {
  id: string;
  createdAt: string;
  lastAccessAt: string | null;
  userAgent: string | null;
  current: boolean;
}

export type WorkspaceStatus = 'requested' | 'provisioning' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface Provisioning {
  applyMillis: number | null;
  scheduleMillis: number | null;
  readyMillis: number | null;
  totalMillis: number | null;
}

export interface Workspace {
  id: string;
  status: WorkspaceStatus;
  url: string | null;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string | null;
  message: string | null;
  provisioning?: Provisioning;
}

/** An error answer of the API: its problem+json, and the wait the server asks for on 429. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(detail);
  }

  /** The session behind the token is gone (logged out, revoked, expired): the user must log in again. */
  get signedOut(): boolean {
    return this.status === 401;
  }
}

type TokenSource = () => string | null;

export class ApiClient {
  constructor(
    private readonly token: TokenSource,
    private readonly base = '',
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
  ) {}

  signup(email: string, password: string, name?: string): Promise<SignedIn & { workspace?: { status: WorkspaceStatus } }> {
    return this.call('POST', '/v1/auth/signup', { email, password, ...(name ? { name } : {}) }, false);
  }

  login(email: string, password: string): Promise<SignedIn> {
    return this.call('POST', '/v1/auth/login', { email, password }, false);
  }

  session(): Promise<{ session: SessionInfo; user: User }> {
    return this.call('GET', '/v1/auth/session');
  }

  sessions(): Promise<SessionListItem[]> {
    return this.call<{ sessions: SessionListItem[] }>('GET', '/v1/auth/sessions').then((r) => r.sessions);
  }

  revokeSession(id: string): Promise<void> {
    return this.call('DELETE', `/v1/auth/sessions/${encodeURIComponent(id)}`);
  }

  logout(): Promise<void> {
    return this.call('POST', '/v1/auth/logout');
  }

  logoutEverywhere(): Promise<void> {
    return this.call('POST', '/v1/auth/logout-all');
  }

  deleteAccount(password: string): Promise<void> {
    return this.call('DELETE', '/v1/account', { password });
  }

  workspace(): Promise<Workspace> {
    return this.call<{ workspace: Workspace }>('GET', '/v1/workspaces/me').then((r) => r.workspace);
  }

  startWorkspace(): Promise<Workspace> {
    return this.call<{ workspace: Workspace }>('POST', '/v1/workspaces/me/start').then((r) => r.workspace);
  }

  stopWorkspace(): Promise<Workspace> {
    return this.call<{ workspace: Workspace }>('POST', '/v1/workspaces/me/stop').then((r) => r.workspace);
  }

  private async call<T>(method: string, path: string, body?: unknown, authenticated = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (authenticated) {
      const token = this.token();
      if (!token) {
        throw new ApiProblem(401, 'not_signed_in', 'Log in first.', null);
      }
      headers.Authorization = `Bearer ${token}`;
    }
    let reply: Response;
    try {
      reply = await this.fetcher(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiProblem(0, 'unreachable', 'The Coditect service cannot be reached; check your connection.', null);
    }
    if (reply.status === 204) {
      return undefined as T;
    }
    const text = await reply.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!reply.ok) {
      const problem = (json ?? {}) as { code?: string; detail?: string; title?: string };
      const retry = reply.headers.get('Retry-After');
      throw new ApiProblem(
        reply.status,
        problem.code ?? `http_${reply.status}`,
        problem.detail ?? problem.title ?? `The request failed (${reply.status}).`,
        retry !== null && /^\d+$/.test(retry) ? Number(retry) : null,
      );
    }
    return json as T;
  }
}
