/**
 * Every way into the tracker (its start, the command function, listeners, timers) runs through
 * here: whatever fails inside, the host page never sees an exception from us.
 */
export const guard =
  <A extends unknown[]>(run: (...args: A) => void) =>
  (...args: A): void => {
    try {
      run(...args);
    } catch {
      // Deliberately silent: losing an event is better than breaking the host page.
    }
  };
