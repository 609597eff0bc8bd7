/**
 * The seam between `getAuthCode` and the server that runs the core's callback handler:
 * the napi addon's server (Node, Bun, Deno with --allow-ffi) or `Deno.listen` with the wasm core (Deno).
 */

import type { LoopbackListener } from "./listener.js";

/** What the server needs; defaults are already applied and types checked. */
export interface CallbackServerConfig {
  /** Serve on this listener's sockets instead of binding `hostname`/`port`. */
  listener?: LoopbackListener;
  hostname: string;
  port: number;
  callbackPath: string;
  timeoutMs: number;
  expectedState?: string;
  expectedIssuer?: string;
  issuerRequired?: boolean;
  successHtml?: string;
  errorHtml?: string;
  /** Sees every request (a Fetch `Request`); must not throw (the caller wraps it). */
  onRequest?: (req: Request) => void;
}

/** How the wait ended. */
export interface CallbackServerOutcome {
  kind: "code" | "error" | "issuer-mismatch" | "timeout" | "closed";
  /** The redirect's query parameters, in order. */
  params: ReadonlyArray<readonly [string, string]>;
  error?: string;
  errorDescription?: string;
  errorUri?: string;
  /** The message to raise: description or code, control characters stripped (by core). */
  errorMessage?: string;
}

/** A listening callback server. */
export interface RunningCallbackServer {
  readonly port: number;
  readonly redirectUri: string;
  /** The path served, with its leading `/`. */
  readonly callbackPath: string;
  /** Stops waiting; `wait()` then settles with `closed` unless the redirect came first. */
  close(): void;
  /** Settles once, after every socket is closed. */
  wait(): Promise<CallbackServerOutcome>;
}

/** Starts listening synchronously (so the port is known at once) or throws a typed error. */
export type StartCallbackServer = (config: CallbackServerConfig) => RunningCallbackServer;
