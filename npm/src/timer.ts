/** The longest delay one timer holds; a longer one fires at once (HTML timers, Node, Deno). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fn` after `ms` milliseconds, however many: a delay longer than one timer holds
 * is waited in steps. Returns the function that cancels it.
 */
export function after(ms: number, fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}
