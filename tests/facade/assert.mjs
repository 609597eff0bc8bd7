// A tiny assertion helper that runs unchanged in Node, Bun, Deno and a browser page.

export class AssertionError extends Error {}

function show(v) {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function equal(actual, expected, what = "value") {
  if (actual !== expected) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export function ok(value, what = "condition") {
  if (!value) throw new AssertionError(`${what} is not true`);
}

export function match(actual, re, what = "value") {
  if (typeof actual !== "string" || !re.test(actual)) throw new AssertionError(`${what}: ${show(actual)} does not match ${re}`);
}

/** Runs fn, expects it to throw the library's typed error with `code`; returns the error. */
export function throwsCode(lib, fn, code, what = "call") {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (err === undefined) throw new AssertionError(`${what}: expected ${code}, nothing was thrown`);
  if (!(err instanceof lib.OAuthCallbackError)) throw new AssertionError(`${what}: expected OAuthCallbackError ${code}, got ${err && err.name}: ${err && err.message}`);
  equal(err.code, code, `${what}: error code`);
  ok(err.message.length > 0, `${what}: has a message`);
  return err;
}

/** The error `promise` rejects with; an AssertionError when it resolves instead. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new AssertionError("expected a rejection");
}

/** Awaits a rejection with the library's typed error `code`; returns the error. */
export async function rejectsCode(lib, promise, code, what = "call") {
  try {
    await promise;
  } catch (e) {
    ok(e instanceof lib.OAuthCallbackError, `${what}: OAuthCallbackError, got ${e}`);
    equal(e.code, code, what);
    return e;
  }
  throw new AssertionError(`${what}: expected ${code}, it succeeded`);
}

/** What a call did, as one comparable string: `ok <value>` or `error <code>[: message]`. */
export function outcome(lib, fn, { withMessage = false } = {}) {
  try {
    return `ok ${fn()}`;
  } catch (err) {
    ok(err instanceof lib.OAuthCallbackError, `typed error (${err && err.message})`);
    return withMessage ? `error ${err.code}: ${err.message}` : `error ${err.code}`;
  }
}
