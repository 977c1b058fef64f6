/**
 * A gate that opens once per event-loop turn, in its check phase (setImmediate): every caller
 * of one turn gets the same promise, so the requests whose bytes arrived in one poll phase go on
 * together and their Redis commands or Kafka records leave in one write instead of one write
 * (one system call, one round trip to wake the other side) per request. The wait is shorter
 * than one turn of the loop.
 */
export function turnGate(): () => Promise<void> {
  let open: Promise<void> | undefined;
  return () =>
    (open ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        open = undefined;
        resolve();
      }),
    ));
}
