/**
 * The seam between `getAuthCode` and the server that runs the core's callback handler:
 * hyper in the napi addon (Node, Bun) or `Deno.serve` with the wasm core (Deno).
 */

/** What the server needs; defaults are already applied and types checked. */
export interface CallbackServerConfig {
  hostname: string;
  port: number;
  callbackPath: string;
  timeoutMs: number;
  expectedState?: string;
  successHtml?: string;
  errorHtml?: string;
  /** Sees every request (a Fetch `Request`); must not throw (the caller wraps it). */
  onRequest?: (req: Request) => void;
}

/** How the wait ended. */
export interface CallbackServerOutcome {
  kind: "code" | "error" | "timeout" | "closed";
  /** The redirect's query parameters, in order. */
  params: ReadonlyArray<readonly [string, string]>;
  error?: string;
  errorDescription?: string;
  errorUri?: string;
}

/** A listening callback server. */
export interface RunningCallbackServer {
  readonly port: number;
  readonly redirectUri: string;
  /** Stops waiting; `wait()` then settles with `closed` unless the redirect came first. */
  close(): void;
  /** Settles once, after every socket is closed. */
  wait(): Promise<CallbackServerOutcome>;
}

/** Starts listening synchronously (so the port is known at once) or throws a typed error. */
export type StartCallbackServer = (config: CallbackServerConfig) => RunningCallbackServer;
