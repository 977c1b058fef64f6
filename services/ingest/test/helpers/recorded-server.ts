import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** JSON body (serialised), or a string sent as is. */
  body?: unknown;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface RecordedServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A local HTTP server that answers each request path (with query) from a queue of recorded
 * responses; the last response of a queue repeats. Unknown paths get 404 with a GitHub-style
 * body. Serves enrichment tests the way the real APIs would, over real sockets.
 */
export async function startRecordedServer(
  routes: Record<string, RecordedResponse | RecordedResponse[]>,
): Promise<RecordedServer> {
  const queues = new Map(Object.entries(routes).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]]));
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '', headers: req.headers });
    const queue = queues.get(req.url ?? '');
    const next = queue && (queue.length > 1 ? queue.shift() : queue[0]);
    if (!next) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const body = next.body === undefined ? '' : typeof next.body === 'string' ? next.body : JSON.stringify(next.body);
    const base = server.address() as AddressInfo;
    const headers = Object.fromEntries(
      Object.entries(next.headers ?? {}).map(([k, v]) => [k, v.replaceAll('{base}', `http://127.0.0.1:${base.port}`)]),
    );
    res.writeHead(next.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
