/**
 * The protocol functions, backed by the Rust core compiled to wasm. Every check, encoding
 * and escape happens in the core; this file validates JavaScript types and shapes objects.
 */
import type * as Wasm from "../wasm/oauth_callback_wasm.js";
import { OAuthCallbackError, expectPort, expectString, toLibraryError } from "./errors.js";
import { checkOptions } from "./options.js";

type Bindings = typeof Wasm;

// Entry points register how they obtain the bindings; more than one entry may be loaded
// in one process (Node importing the browser entry too), so neither replaces the other.
let syncLoader: (() => Bindings) | undefined;
let initialized: Bindings | undefined;

/**
 * What a call's error becomes: wasm-bindgen's error objects (the module of
 * `useSyncLoader`) become typed errors; set with it, so the browser entry, whose modules
 * throw typed errors already, bundles no conversion.
 */
let typed: (err: unknown) => unknown = (err) => err;

/** Node, Bun, Deno: compile the wasm core synchronously on first use. @internal */
export function useSyncLoader(load: () => Bindings): void {
  syncLoader = load;
  typed = toLibraryError;
}

/**
 * PKCE, state and nonce on the host's own crypto (Node, Bun, Deno; see pkce-host.ts).
 * Each returns `undefined` to leave the call to the core. @internal
 */
export interface HostRandomness {
  pkcePair(): [verifier: string, challenge: string] | undefined;
  challenge(verifier: string): string | undefined;
  token(): string | undefined;
}

let hostRandomness: HostRandomness | undefined;

/** Node, Bun, Deno: hash and draw random octets without the wasm core. @internal */
export function useHostRandomness(host: HostRandomness): void {
  hostRandomness = host;
}

/**
 * Browsers: the login module's bindings once they are compiled (BrowserOAuthClient's;
 * its errors are typed already). It has every protocol function but the three of
 * {@link fullCall}. @internal
 */
export function useInitializedBindings(bindings: Bindings): void {
  initialized = bindings;
}

/** The protocol functions alone: what the browser's small `authorize` module has. @internal */
export type ProtocolBindings = Pick<
  Bindings,
  "generatePkce" | "challengeFromVerifier" | "generateState" | "generateNonce" | "buildAuthorizationUrl" | "renderTemplate" | "loopbackRedirectUri" | "checkedEndpoint"
>;

let protocolOnly: ProtocolBindings | undefined;

/** Browsers: the `authorize` module's bindings once `init()` has compiled it. @internal */
export function useProtocolBindings(bindings: ProtocolBindings): void {
  protocolOnly = bindings;
}

/** Runs `fn` on `core`, turning its errors into typed ones; NOT_INITIALIZED without one. */
function runOn<C, T>(core: C | undefined, fn: (core: C) => T, what = "it"): T {
  if (core === undefined) throw new OAuthCallbackError("NOT_INITIALIZED", `call \`await init()\` from oauth-callback-rs once before using ${what} in a browser`);
  try {
    return fn(core);
  } catch (err) {
    throw typed(err);
  }
}

/** Runs `fn` on whichever loaded module has the protocol functions. */
function protocolCall<T>(fn: (core: ProtocolBindings) => T): T {
  return runOn(initialized ?? protocolOnly ?? syncLoader?.(), fn);
}

/**
 * {@link protocolCall} for `challengeFromVerifier`, `renderTemplate` and `getRedirectUrl`,
 * which BrowserOAuthClient's login module leaves out (they serve native apps' loopback
 * flow): in a browser they always run on the authorize module of `init()`, whose `full`
 * build has them.
 */
function fullCall<T>(what: string, fn: (core: ProtocolBindings) => T): T {
  return runOn(protocolOnly ?? syncLoader?.(), fn, what);
}

/** Runs `fn` on the initialized core, turning its errors into typed ones. @internal */
export function call<T>(fn: (core: Bindings) => T): T {
  return runOn(initialized ?? syncLoader?.(), fn);
}

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1-4.2). */
export interface PkcePair {
  /** The secret `code_verifier`, sent only with the token request. */
  readonly verifier: string;
  /** The `code_challenge`, sent in the authorization URL. */
  readonly challenge: string;
  /** Always `"S256"`: `plain` is refused (OAuth 2.1 §4.1.1). */
  readonly method: "S256";
}

/** Options of {@link generatePkce}. */
export interface GeneratePkceOptions {
  /** Verifier length, 43 to 128 characters (RFC 7636 §4.1). Default 43 (32 random octets). */
  length?: number;
}

/** RFC 7636 §4.1-4.2: a fresh verifier from the system CSPRNG and its S256 challenge. */
export function generatePkce(options: GeneratePkceOptions = {}): PkcePair {
  checkOptions("generatePkce", options, ["length"]);
  const length = options.length ?? 43;
  if (typeof length !== "number" || !Number.isInteger(length)) {
    throw new OAuthCallbackError("INVALID_CODE_VERIFIER", "length must be an integer from 43 to 128");
  }
  // Out-of-range integers still go to the core, which owns the 43-128 rule; clamp only to u32.
  const asked = length < 0 ? 0 : Math.min(length, 0xffffffff);
  const [verifier, challenge] = (asked === 43 ? hostRandomness?.pkcePair() : undefined) ?? protocolCall((c) => c.generatePkce(asked));
  if (verifier === undefined || challenge === undefined) {
    throw new OAuthCallbackError("ENTROPY_UNAVAILABLE", "the core returned no PKCE pair");
  }
  return { verifier, challenge, method: "S256" };
}

/** RFC 7636 §4.2: the S256 challenge of an existing verifier, after validating it (§4.1). */
export function challengeFromVerifier(verifier: string): string {
  const v = expectString("verifier", verifier);
  return hostRandomness?.challenge(v) ?? fullCall("challengeFromVerifier", (c) => c.challengeFromVerifier(v));
}

/** RFC 6749 §10.12: a fresh `state` value (32 random octets, base64url). */
export function generateState(): string {
  return hostRandomness?.token() ?? protocolCall((c) => c.generateState());
}

/** OpenID Connect Core §3.1.2.1: a fresh `nonce` value (32 random octets, base64url). */
export function generateNonce(): string {
  return hostRandomness?.token() ?? protocolCall((c) => c.generateNonce());
}

/** Options of {@link buildAuthorizationUrl}. */
export interface AuthorizationUrlOptions {
  /** The authorization endpoint: https, or http on a loopback host. Its own query is kept. */
  authorizationEndpoint: string | URL;
  /** `client_id` (RFC 6749 §2.2). */
  clientId: string;
  /** `redirect_uri` (RFC 6749 §3.1.2), e.g. from {@link getRedirectUrl}. */
  redirectUri?: string | URL;
  /** Scopes, as one space-separated string or a list (RFC 6749 §3.3). */
  scope?: string | readonly string[];
  /** `state` (RFC 6749 §4.1.1), e.g. from {@link generateState}. Required. */
  state: string;
  /** The S256 `code_challenge` (RFC 7636 §4.3), e.g. from {@link generatePkce}. Required. */
  codeChallenge: string;
  /** Resource indicators (RFC 8707 §2); each becomes its own `resource` parameter. */
  resource?: string | URL | readonly (string | URL)[];
  /** Other parameters (`prompt`, `login_hint`, `nonce`...). Reserved names are refused. */
  extraParams?: Readonly<Record<string, string>>;
}

/** Scopes or resources given as one space-separated string or a list, as a list. @internal */
export function asList(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return typeof v === "string" ? v.split(" ").filter(Boolean) : [...v];
}

function str(v: string | URL): string {
  return typeof v === "string" ? v : v instanceof URL ? v.href : expectString("value", v);
}

/**
 * RFC 6749 §4.1.1 with PKCE (RFC 7636 §4.3) and resource indicators (RFC 8707): the URL
 * to send the user to. Values are percent-encoded; no parameter can appear twice.
 */
export function buildAuthorizationUrl(options: AuthorizationUrlOptions): string {
  if (typeof options !== "object" || options === null) {
    throw new OAuthCallbackError("INVALID_PARAMETER", "buildAuthorizationUrl needs an options object");
  }
  checkOptions("buildAuthorizationUrl", options, ["authorizationEndpoint", "clientId", "redirectUri", "scope", "state", "codeChallenge", "resource", "extraParams"]);
  const { authorizationEndpoint, clientId, redirectUri, scope, state, codeChallenge, resource, extraParams } = options;
  return authorizationUrl(authorizationEndpoint, clientId, redirectUri, scope, state, codeChallenge, resource, extraParams);
}

/**
 * {@link buildAuthorizationUrl} past its options object: every value checked, then the
 * core builds the URL. `BrowserOAuthClient.startLogin` calls it directly. @internal
 */
export function authorizationUrl(
  authorizationEndpoint: string | URL,
  clientId: string,
  redirectUri: string | URL | undefined,
  scope: string | readonly string[] | undefined,
  state: string,
  codeChallenge: string,
  resource: AuthorizationUrlOptions["resource"],
  extraParams: Readonly<Record<string, string>> | undefined,
): string {
  const endpoint = str(authorizationEndpoint);
  const id = expectString("clientId", clientId);
  const st = expectString("state", state);
  const challenge = expectString("codeChallenge", codeChallenge);
  const redirect = redirectUri === undefined ? undefined : str(redirectUri);
  const scopes = scope === undefined ? undefined : typeof scope === "string" ? scope : scope.map((s) => expectString("scope", s)).join(" ");
  const resources = resource === undefined ? [] : Array.isArray(resource) ? resource.map(str) : [str(resource as string | URL)];
  const names: string[] = [];
  const values: string[] = [];
  for (const [k, v] of Object.entries(extraParams ?? {})) {
    names.push(k);
    values.push(expectString(`extraParams.${k}`, v));
  }
  return protocolCall((c) => c.buildAuthorizationUrl(endpoint, id, redirect, scopes, st, challenge, resources, names, values));
}

/**
 * Renders an HTML template: each `{{name}}` becomes the HTML-escaped value (`& < > " '`);
 * unknown placeholders render empty; values are never re-scanned for placeholders.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  const t = expectString("template", template);
  const names: string[] = [];
  const vals: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    names.push(k);
    vals.push(expectString(`values.${k}`, v));
  }
  return fullCall("renderTemplate", (c) => c.renderTemplate(t, names, vals));
}

/** Options of {@link getRedirectUrl}, with `oauth-callback`'s defaults. */
export interface RedirectUrlOptions {
  /** Default 3000. */
  port?: number;
  /** Default `"localhost"`. Must be a loopback name or address. */
  hostname?: string;
  /** Default `"/callback"`. */
  callbackPath?: string;
}

/** RFC 8252 §7.3: the loopback redirect URI, `http://localhost:3000/callback` by default. */
export function getRedirectUrl(options: RedirectUrlOptions = {}): string {
  checkOptions("getRedirectUrl", options, ["port", "hostname", "callbackPath"]);
  const port = expectPort("port", options.port ?? 3000);
  const hostname = expectString("hostname", options.hostname ?? "localhost");
  const path = expectString("callbackPath", options.callbackPath ?? "/callback");
  return fullCall("getRedirectUrl", (c) => c.loopbackRedirectUri(hostname, port, path));
}

/** RFC 8252 §8.3: the loopback addresses a host name binds. @internal */
export function loopbackBindAddresses(hostname: string): string[] {
  return call((c) => c.loopbackBindAddresses(hostname));
}

/** RFC 6749 §3.1: an endpoint checked (https, or http on loopback) and normalized. @internal */
export function checkedEndpoint(url: string): string {
  return protocolCall((c) => c.checkedEndpoint(url));
}

/** The core's loopback callback handler (RFC 8252 §7.3), for the Deno driver. @internal */
export function callbackHandler(
  config: { callbackPath: string; expectedState?: string; expectedIssuer?: string; issuerRequired?: boolean; successHtml?: string; errorHtml?: string },
  port: number,
  recordRequests: boolean,
) {
  return call((c) => new c.CallbackHandler(config.callbackPath, port, config.expectedState, config.expectedIssuer, config.issuerRequired ?? false, config.successHtml, config.errorHtml, recordRequests));
}

/** Core's encrypted store envelope (AES-256-GCM, Argon2id), for the Deno file store. @internal */
export function storeCipher(raw: Uint8Array | undefined, passphrase: string | undefined, keyName: string) {
  const cipher = call((c) => new c.StoreCipher(raw, passphrase, keyName));
  return {
    seal: (document: string): string => call(() => cipher.seal(document)),
    open: (envelope: string): string => call(() => cipher.open(envelope)),
  };
}

/** Whether file content is an encrypted store envelope. @internal */
export function isEncryptedStore(content: string): boolean {
  return call((c) => c.isEncryptedStore(content));
}
