/**
 * Node's built-in modules (Node, Bun and Deno all have them), reached when first needed
 * through `process.getBuiltinModule` rather than imported: a static
 * `import ... from "node:fs"` costs every fresh process time at import, used or not
 * (about 1.5 ms for `node:fs` and `node:module` together on Node 20; the import
 * benchmark, bench/import.mjs, measures the root import).
 */
import type * as Fs from "node:fs";
import type * as NodeModule from "node:module";
import type * as Os from "node:os";
import type * as Path from "node:path";
import type * as Url from "node:url";
import type * as Vm from "node:vm";

/** The built-in module `id`, or `undefined` where the runtime has none (a browser). */
export function optionalBuiltin(id: string): unknown {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof proc?.getBuiltinModule === "function" ? proc.getBuiltinModule(id) : undefined;
}

function builtin<T>(id: string): T {
  const mod = optionalBuiltin(id);
  // Every runtime this code runs in (Node ≥ 20.19, Bun, Deno) has it; the browser entry
  // never reaches here.
  if (mod === undefined) throw new Error(`oauth-callback-rs needs ${id}, which this runtime does not provide`);
  return mod as T;
}

/** `node:fs`. */
export const nodeFs = (): typeof Fs => builtin("node:fs");
/** `node:path`. */
export const nodePath = (): typeof Path => builtin("node:path");
/** `node:url`. */
export const nodeUrl = (): typeof Url => builtin("node:url");
/** `node:module`. */
export const nodeModule = (): typeof NodeModule => builtin("node:module");
/** `node:vm`. */
export const nodeVm = (): typeof Vm => builtin("node:vm");
/** `node:os`. */
export const nodeOs = (): typeof Os => builtin("node:os");
