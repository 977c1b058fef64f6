import { createServer } from 'node:net';

/**
 * A loopback port free right now, for a child process that must be told its port up front (a
 * service's main.ts whose address a test or a CLI dials). Racy in principle; the kernel does not
 * hand a just-released ephemeral port out again at once, which is enough for tests.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
