/**
 * Whether a promise has settled after the event loop has turned a few times: for tests of work
 * that must wait for something the test holds back.
 */
export async function stateAfterTurns(
  promise: Promise<unknown>,
  turns = 20,
): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
  return state;
}
