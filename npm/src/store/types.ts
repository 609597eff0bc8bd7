/**
 * Token storage shapes, compatible with `oauth-callback` (`TokenStore`, `OAuthStore`,
 * `OAuthStoreBrand`) and extended with what a client needs to resume after a restart.
 */

/** An OAuth token set (RFC 6749 §5.1) with the expiry as an absolute time. */
export interface Tokens {
  /** The access token. */
  accessToken: string;
  /** The refresh token, if one was issued (RFC 6749 §6). */
  refreshToken?: string;
  /** Expiry of the access token, milliseconds since the epoch. */
  expiresAt?: number;
  /**
   * When the access token was received, milliseconds since the epoch; with `expiresAt`
   * it gives the token's lifetime, which bounds `OAuthClient`'s refresh margin.
   */
  issuedAt?: number;
  /** Granted scope, space-separated. */
  scope?: string;
  /** `token_type`, normally `Bearer`. */
  tokenType?: string;
  /** An OpenID Connect ID token, if one was issued. */
  idToken?: string;
}

/** A client registration (RFC 7591 §3.2.1). */
export interface ClientInfo {
  clientId: string;
  clientSecret?: string;
  clientIdIssuedAt?: number;
  clientSecretExpiresAt?: number;
  /** The redirect URIs registered with this client. */
  redirectUris?: string[];
  /** The grant types the registration allows (absent: authorization code and refresh). */
  grantTypes?: string[];
}

/** The storage interface of `oauth-callback`: implement it for Redis, a database, ... */
export interface TokenStore {
  get(key: string): Promise<Tokens | null>;
  set(key: string, tokens: Tokens): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Marks stores that also keep client registrations and PKCE verifiers. */
export const OAuthStoreBrand: unique symbol = Symbol.for("oauth-callback-rs.OAuthStore");

/** Everything kept under one key: tokens and what resuming a flow or a client needs. */
export interface StoreEntry {
  tokens?: Tokens;
  client?: ClientInfo;
  /** The PKCE verifier of a flow in progress. */
  codeVerifier?: string;
  /** Discovered server metadata and other resumable state, as JSON values. */
  discovery?: { readonly [name: string]: unknown };
  /** When the entry last changed, milliseconds since the epoch (set by the store). */
  updatedAt?: number;
}

/**
 * `oauth-callback`'s extended store, implemented by every built-in store, plus an
 * atomic read-modify-write: `update` runs `fn` under the store's lock (cross-process for
 * files and the keychain) and writes its result; `undefined` keeps the entry as it is,
 * `null` deletes it. If `fn` throws, nothing is written and the error propagates.
 */
export interface OAuthStore extends TokenStore {
  readonly [OAuthStoreBrand]: true;
  getClient(key: string): Promise<ClientInfo | null>;
  setClient(key: string, client: ClientInfo): Promise<void>;
  deleteClient(key: string): Promise<void>;
  getCodeVerifier(key: string): Promise<string | null>;
  setCodeVerifier(key: string, verifier: string): Promise<void>;
  deleteCodeVerifier(key: string): Promise<void>;
  getEntry(key: string): Promise<StoreEntry | null>;
  update(key: string, fn: (entry: StoreEntry | null) => StoreEntry | null | undefined | Promise<StoreEntry | null | undefined>): Promise<StoreEntry | null>;
}
