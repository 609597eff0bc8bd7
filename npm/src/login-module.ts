/**
 * The browser's `login` wasm module (crates/wasm-authorize built with its `login` feature,
 * `wasm-login/oauth_callback_login.wasm`): the operations of the `authorize` module's min
 * build (PKCE, state, nonce, authorization URLs, endpoint checks) plus what
 * `BrowserOAuthClient` and the browser entry's protocol steps need — discovery, the
 * authorization response checks, the code exchange, refresh, revocation, tokens, UserInfo
 * and the trace's redaction. No wasm-bindgen glue: the calling convention is the
 * `authorize` module's (crates/wasm-authorize/src/abi.rs), and each binding answers what
 * the wasm-bindgen client module's function of the same name answers, values and errors
 * alike (tests/facade/login-module-cases.mjs). Its errors are thrown typed, as the facade
 * throws them.
 */
import type * as Wasm from "../wasm/oauth_callback_wasm.js";
import type { WasmLoadOptions } from "./wasm-fetch.js";
import { OAuthError } from "./errors.js";
import { invoker, list, loadFramedModule, pairs, type FrameExports, type Item, type WasmSource } from "./wasm-frame.js";

// The operation numbers of crates/wasm-authorize/src/ops.rs and src/login.rs, written as
// literals where used (each with its name): the bundle then carries no table of names.

type Full = typeof Wasm;

/** The bindings of the module, named and typed as the client module's functions. */
export type LoginBindings = Pick<
  Full,
  | "generatePkce"
  | "generateState"
  | "generateNonce"
  | "buildAuthorizationUrl"
  | "checkedEndpoint"
  | "discoveryRequests"
  | "processMetadata"
  | "validateAuthorizationResponse"
  | "codeExchangeRequest"
  | "processTokenResponse"
  | "userinfoRequest"
  | "processUserInfo"
  | "redactBody"
  | "redactUrl"
  | "refreshRequest"
  | "revocationRequest"
  | "processRevocation"
>;

/** A status as the client module's `u16` argument reads it. */
const u16 = (n: number): number => n & 0xffff;

/** An IEEE 754 double as two u32 items, low bits first (`now_ms`, exactly). */
function double(n: number): Item[] {
  const words = new Uint32Array(new Float64Array([n]).buffer);
  return [words[0] ?? 0, words[1] ?? 0];
}

/**
 * The value of a tagged answer (login.rs): `=value`, or `!` and the server's OAuth error,
 * thrown as the `OAuthError` that `toLibraryError` (errors.ts) makes of the wasm-bindgen
 * client module's `CoreError` for the same answer.
 */
function untag(text: string): string {
  if (text.startsWith("=")) return text.slice(1);
  const o = JSON.parse(text.slice(1)) as { error: string; error_description: string | null; error_uri: string | null };
  throw new OAuthError(o.error, o.error_description ?? undefined, o.error_uri ?? undefined);
}

function bindings(x: FrameExports): LoginBindings {
  const invoke = invoker(x);
  const flat = (params: readonly string[]): Item[] => {
    const n = params.length >> 1;
    return [n, ...params.slice(0, n * 2)];
  };
  return {
    generatePkce: (length) => invoke(0 /* PKCE_PAIR */, [length]).split(" "),
    generateState: () => invoke(2 /* STATE */, []),
    generateNonce: () => invoke(3 /* NONCE */, []),
    buildAuthorizationUrl: (endpoint, clientId, redirectUri, scope, state, challenge, resources, names, values) =>
      invoke(4 /* AUTHORIZATION_URL */, [endpoint, clientId, redirectUri, scope, state, challenge, ...list(resources), ...pairs(names, values)]),
    checkedEndpoint: (url) => invoke(7 /* CHECKED_ENDPOINT */, [url]),
    discoveryRequests: (issuer) => invoke(8 /* DISCOVERY_REQUESTS */, [issuer]).split("\n"),
    processMetadata: (issuer, status, body) => untag(invoke(9 /* PROCESS_METADATA */, [issuer, u16(status), body])),
    validateAuthorizationResponse: (params, state, issuer, issRequired) =>
      untag(invoke(10 /* VALIDATE_AUTHORIZATION_RESPONSE */, [...flat(params), state, issuer, issRequired ? 1 : 0])),
    codeExchangeRequest: (endpoint, clientId, secret, methods, code, redirectUri, verifier, resources) =>
      invoke(11 /* CODE_EXCHANGE_REQUEST */, [endpoint, clientId, secret, ...list(methods), code, redirectUri, verifier, ...list(resources)]),
    processTokenResponse: (status, body, now) => untag(invoke(12 /* PROCESS_TOKEN_RESPONSE */, [u16(status), body, ...double(now)])),
    userinfoRequest: (endpoint, accessToken) => invoke(13 /* USERINFO_REQUEST */, [endpoint, accessToken]),
    processUserInfo: (status, contentType, wwwAuthenticate, body, subject) =>
      untag(invoke(14 /* PROCESS_USERINFO */, [u16(status), contentType, wwwAuthenticate, body, subject])),
    redactBody: (body) => invoke(15 /* REDACT_BODY */, [body]),
    redactUrl: (url) => invoke(16 /* REDACT_URL */, [url]),
    refreshRequest: (endpoint, clientId, secret, methods, refreshToken, resources) =>
      invoke(17 /* REFRESH_REQUEST */, [endpoint, clientId, secret, ...list(methods), refreshToken, ...list(resources)]),
    revocationRequest: (endpoint, clientId, secret, methods, token, hint) => invoke(18 /* REVOCATION_REQUEST */, [endpoint, clientId, secret, ...list(methods), token, hint]),
    processRevocation: (status, body) => {
      untag(invoke(19 /* PROCESS_REVOCATION */, [u16(status), body]));
    },
  };
}

/** Fetches (or takes) and instantiates the `login` module, within `options`' bounds. */
export async function loadLoginModule(source: WasmSource, options: WasmLoadOptions = {}): Promise<LoginBindings> {
  return bindings(await loadFramedModule("login wasm module", "wasm-login/oauth_callback_login.wasm", source, options, "login"));
}
