/** Options of `bindLoopback`. */
export interface LoopbackOptions {
  /** `"localhost"` (default: 127.0.0.1 and ::1), `"127.0.0.1"` or `"::1"`. Anything else is refused. */
  hostname?: string;
  /** Port to bind; 0 (default) picks a free one, reported in `port`. */
  port?: number;
}

/** Sockets bound on loopback, all on one port, for the redirect of RFC 8252 §7.3. */
export interface LoopbackListener {
  /** The bound port. */
  readonly port: number;
  /** The host name it was bound for. */
  readonly hostname: string;
  /** The addresses bound, e.g. `["127.0.0.1", "::1"]`. */
  readonly addresses: readonly string[];
  /** False once closed. */
  readonly listening: boolean;
  /** Releases the port; calling it again does nothing. */
  close(): void;
}
