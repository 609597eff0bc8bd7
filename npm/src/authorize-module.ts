/**
 * The browser's `authorize` wasm module (crates/wasm-authorize): PKCE, state, nonce,
 * authorization URLs and endpoint checks, from the same Rust core as every other module,
 * for pages that only start a login (`oauth_callback_authorize_min.wasm`); its `full`
 * build (`oauth_callback_authorize.wasm`) adds templates, loopback redirect URIs and the
 * challenge of an existing verifier. It has no wasm-bindgen glue; this file moves
 * the bytes: each call writes its arguments as one framed buffer (see
 * crates/wasm-authorize/src/frame.rs) and reads one output.
 */
import { OAuthCallbackError } from "./errors.js";
import type { WasmLoadOptions } from "./wasm-fetch.js";
import { invoker, list, loadFramedModule, pairs, type FrameExports, type Invoke, type Item, type WasmSource } from "./wasm-frame.js";

export type { WasmSource } from "./wasm-frame.js";

// The operation numbers of crates/wasm-authorize/src/ops.rs.
const PKCE_PAIR = 0;
const CHALLENGE = 1;
const STATE = 2;
const NONCE = 3;
const AUTHORIZATION_URL = 4;
const TEMPLATE = 5;
const LOOPBACK_REDIRECT_URI = 6;
const CHECKED_ENDPOINT = 7;

/** The protocol functions of the module, named and typed as the client module's. */
export interface AuthorizeBindings {
  generatePkce(length: number): string[];
  challengeFromVerifier(verifier: string): string;
  generateState(): string;
  generateNonce(): string;
  buildAuthorizationUrl(
    endpoint: string,
    clientId: string,
    redirectUri: string | null | undefined,
    scope: string | null | undefined,
    state: string,
    codeChallenge: string,
    resources: string[],
    extraNames: string[],
    extraValues: string[],
  ): string;
  renderTemplate(template: string, names: string[], values: string[]): string;
  loopbackRedirectUri(hostname: string, port: number, callbackPath: string): string;
  checkedEndpoint(url: string): string;
}

/** The operations only the `full` build has, as bindings. */
type FullOperations = Pick<AuthorizeBindings, "challengeFromVerifier" | "renderTemplate" | "loopbackRedirectUri">;

/**
 * Makes the `full` build's operations for a module, once {@link useFullOperations} has
 * run: only a page that uses `challengeFromVerifier`, `renderTemplate` or `getRedirectUrl`
 * calls it (through the browser entry's `withFull`), so a page that does not carries none
 * of this code.
 */
let fullOperations: ((x: FrameExports, invoke: Invoke) => FullOperations) | undefined;

/** The bindings of the modules loaded from now on include the `full` build's operations. */
export function useFullOperations(): void {
  fullOperations = (x, invoke) => {
    /** {@link invoke} for an operation of the `full` build only. */
    function invokeFull(op: number, items: readonly Item[]): string {
      if (typeof x.full !== "function") {
        throw new OAuthCallbackError(
          "NOT_INITIALIZED",
          "challengeFromVerifier, renderTemplate and getRedirectUrl need oauth_callback_authorize.wasm, not oauth_callback_authorize_min.wasm",
        );
      }
      return invoke(op, items);
    }
    return {
      challengeFromVerifier: (verifier) => invokeFull(CHALLENGE, [verifier]),
      renderTemplate: (template, names, values) => invokeFull(TEMPLATE, [template, ...pairs(names, values)]),
      loopbackRedirectUri: (hostname, port, callbackPath) => invokeFull(LOOPBACK_REDIRECT_URI, [hostname, port, callbackPath]),
    };
  };
}

function bindings(x: FrameExports): AuthorizeBindings {
  const invoke = invoker(x);
  // Without the full operations (a page that never calls them), their three names are
  // absent: nothing in such a page can reach them.
  return {
    generatePkce: (length) => invoke(PKCE_PAIR, [length]).split(" "),
    generateState: () => invoke(STATE, []),
    generateNonce: () => invoke(NONCE, []),
    buildAuthorizationUrl: (endpoint, clientId, redirectUri, scope, state, challenge, resources, names, values) =>
      invoke(AUTHORIZATION_URL, [endpoint, clientId, redirectUri, scope, state, challenge, ...list(resources), ...pairs(names, values)]),
    checkedEndpoint: (url) => invoke(CHECKED_ENDPOINT, [url]),
    ...(fullOperations?.(x, invoke) as FullOperations),
  };
}

/** Fetches (or takes) and instantiates the `authorize` module, within `options`' bounds. */
export async function loadAuthorizeModule(source: WasmSource, options: WasmLoadOptions = {}): Promise<AuthorizeBindings> {
  return bindings(await loadFramedModule("authorize wasm module", "wasm-authorize/oauth_callback_authorize_min.wasm or oauth_callback_authorize.wasm", source, options));
}
