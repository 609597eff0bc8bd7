/**
 * Options objects checked at run time: JavaScript callers get no compile-time check, and a
 * misspelled key silently ignored can cost safety (`encryptionkey` would store tokens in
 * clear). An unknown key is a typed `UNKNOWN_OPTION` error naming it and the closest
 * known key.
 */
import { OAuthCallbackError } from "./errors.js";

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[y.length] ?? 0;
}

/** The known key closest to `key`, when it is close enough to be a likely typo. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  // Snake case for camel case (`expected_state`), or a few letters off.
  const normalized = key.replace(/[_-]/g, "").toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === normalized);
  if (exact) return exact;
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Throws `UNKNOWN_OPTION` for the first own key of `options` that is not in `known`
 * ("did you mean ...?" when one is close). `where` names the call, e.g. `getAuthCode`.
 */
export function checkOptions(where: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const hint = near ? `; did you mean \`${near}\`?` : `; known options: ${known.join(", ")}`;
    throw new OAuthCallbackError("UNKNOWN_OPTION", `${where}: unknown option \`${key.slice(0, 64)}\`${hint}`);
  }
}
