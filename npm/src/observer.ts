/** Wraps a caller's callback (a trace, an event hook) so that an error it throws cannot break the flow it observes. */
export function observer<T>(callback: ((value: T) => void) | undefined): (value: T) => void {
  return (value) => {
    try {
      callback?.(value);
    } catch {
      // An observer must not break the login.
    }
  };
}
