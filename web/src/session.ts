import { ApiClient, type User } from './api/client';

/**
 * Who is signed in in this tab. The access token is kept in memory only; other open tabs of the app hand it over
 * on a same-origin BroadcastChannel when a tab opens (so "open IDE" in a new tab works without a new login), and
 * logging out in one tab signs out all of them. Closing every tab forgets it: the next visit logs in again.
 */
export interface Signed {
  token: string;
  user: User;
}

type Message =
  | { type: 'ask' }
  | { type: 'token'; token: string; user: User }
  | { type: 'signed-out' };

export class SessionStore {
  private current: Signed | null = null;
  private readonly listeners = new Set<(s: Signed | null) => void>();
  private readonly channel: BroadcastChannel | null;
  readonly api: ApiClient;

  constructor(channelName = 'coditect-session', api?: ApiClient) {
    this.api = api ?? new ApiClient(() => this.current?.token ?? null);
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(channelName);
    if (this.channel) {
      this.channel.onmessage = (event: MessageEvent<Message>) => this.receive(event.data);
    }
  }

  get signed(): Signed | null {
    return this.current;
  }

  subscribe(listener: (s: Signed | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  signIn(token: string, user: User): void {
    this.update({ token, user });
    this.post({ type: 'token', token, user });
  }

  /** Forgets the token here and in every other tab (after the server revoked it, or found it gone). */
  signOut(): void {
    this.update(null);
    this.post({ type: 'signed-out' });
  }

  /** Asks the other open tabs for their token; resolves with whether one answered within {@code waitMillis}. */
  restore(waitMillis = 400): Promise<boolean> {
    if (this.current || !this.channel) {
      return Promise.resolve(this.current !== null);
    }
    return new Promise((resolve) => {
      const done = this.subscribe((s) => {
        if (s) {
          done();
          clearTimeout(timer);
          resolve(true);
        }
      });
      const timer = setTimeout(() => {
        done();
        resolve(this.current !== null);
      }, waitMillis);
      this.post({ type: 'ask' });
    });
  }

  /** Leaves the channel (a closing tab does so by itself). */
  close(): void {
    this.channel?.close();
  }

  private receive(message: Message): void {
    if (message.type === 'ask' && this.current) {
      this.post({ type: 'token', token: this.current.token, user: this.current.user });
    } else if (message.type === 'token' && !this.current) {
      this.update({ token: message.token, user: message.user });
    } else if (message.type === 'signed-out' && this.current) {
      this.update(null);
    }
  }

  private post(message: Message): void {
    this.channel?.postMessage(message);
  }

  private update(next: Signed | null): void {
    this.current = next;
    this.listeners.forEach((l) => l(next));
  }
}
