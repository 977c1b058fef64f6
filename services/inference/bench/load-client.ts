// The bench's load generator, a child process of the bench (forked with IPC), so the client's
// encoding and timers share neither the server's event loop nor its CPU accounting (they do
// share the machine's two cores, as a co-located client would). Runs each scenario it is sent
// and sends the latencies back.
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { loadGrpcObject } from '@omen/contracts';

export type Scenario =
  | { kind: 'unary'; address: string; rps: number; durationMs: number; rows: Record<string, number>[]; topK: number }
  | {
      kind: 'predictBatch';
      address: string;
      batch: number;
      concurrency: number;
      durationMs: number;
      rows: Record<string, number>[];
      packed?: boolean;
      /** Packed rows answered as columns (PackedRows.packed_response). */
      packedResponse?: boolean;
      /** The packed values as little-endian float64 bytes (PackedRows.values_f64le). */
      f64le?: boolean;
      topK?: number;
    }
  | {
      kind: 'modelInfer';
      address: string;
      batch: number;
      concurrency: number;
      durationMs: number;
      x: Float32Array;
      width: number;
    };

export interface ScenarioResult {
  /** Per-call latency, µs (unary: from the scheduled send time, so a stall counts against it). */
  latenciesUs: number[];
  calls: number;
  rows: number;
  errors: Record<string, number>;
  elapsedMs: number;
}

type Callback = (err: grpc.ServiceError | null, res?: unknown) => void;
type Unary = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback) => void;

function method(client: grpc.Client, name: string): (req: unknown, cb: Callback) => void {
  const fn = (client as unknown as Record<string, Unary>)[name]!.bind(client);
  return (req, cb) => fn(req, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, cb);
}

async function unary(s: Extract<Scenario, { kind: 'unary' }>): Promise<ScenarioResult> {
  const client = new (loadGrpcObject('inference').omen.inference.v1.Inference)(
    s.address,
    grpc.credentials.createInsecure(),
  );
  const predict = method(client, 'Predict');
  const requests = s.rows.map((values) => ({ features: { values }, top_k: s.topK }));
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const examples: Record<string, string> = {};
  const interval = 1000 / s.rps;
  const total = Math.round((s.rps * s.durationMs) / 1000);
  let sent = 0;
  let done = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Open loop: every request whose scheduled time has come is sent now, whatever the
      // earlier ones are doing; latency counts from the scheduled time (no coordinated omission).
      while (sent < total && start + sent * interval <= now) {
        const scheduled = start + sent * interval;
        predict(requests[sent % requests.length], (err) => {
          const us = (performance.now() - scheduled) * 1000;
          if (err) {
            const code = grpc.status[err.code] ?? String(err.code);
            errors[code] = (errors[code] ?? 0) + 1;
            examples[code] ??= err.details;
          } else latencies.push(us);
          if (++done === total) resolve();
        });
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - performance.now())));
    };
    tick();
  });
  const elapsedMs = performance.now() - start;
  client.close();
  for (const [code, details] of Object.entries(examples)) process.stderr.write(`unary ${code}, e.g.: ${details}\n`);
  return { latenciesUs: latencies, calls: total, rows: latencies.length, errors, elapsedMs };
}

async function closedLoop(s: Extract<Scenario, { kind: 'predictBatch' | 'modelInfer' }>): Promise<ScenarioResult> {
  let send: (i: number, cb: Callback) => void;
  let client: grpc.Client;
  if (s.kind === 'predictBatch') {
    client = new (loadGrpcObject('inference').omen.inference.v1.Inference)(
      s.address,
      grpc.credentials.createInsecure(),
    );
    const call = method(client, 'PredictBatch');
    const names = Object.keys(s.rows[0] ?? {});
    const bodies = Array.from({ length: 8 }, (_, k) => {
      const rows = Array.from({ length: s.batch }, (_, i) => s.rows[(k * s.batch + i) % s.rows.length]!);
      // The packed form: one name list and row-major values instead of a map per row.
      const values = rows.flatMap((r) => names.map((n) => r[n]!));
      const block = s.f64le ? { values_f64le: Buffer.from(Float64Array.from(values).buffer) } : { values };
      return s.packed
        ? { packed: { feature_names: names, ...block, top_k: s.topK ?? 0, packed_response: s.packedResponse === true } }
        : { requests: rows.map((values) => ({ features: { values }, top_k: s.topK ?? 0 })) };
    });
    send = (i, cb) => call(bodies[i % bodies.length], cb);
  } else {
    client = new (loadGrpcObject('kserve').inference.GRPCInferenceService)(
      s.address,
      grpc.credentials.createInsecure(),
    );
    const call = method(client, 'ModelInfer');
    const rowsAvailable = s.x.length / s.width;
    const bodies = Array.from({ length: 8 }, (_, k) => {
      const x = new Float32Array(s.batch * s.width);
      for (let i = 0; i < s.batch; i++) {
        const r = (k * s.batch + i) % rowsAvailable;
        x.set(s.x.subarray(r * s.width, (r + 1) * s.width), i * s.width);
      }
      return {
        model_name: 'jit-defect',
        inputs: [{ name: 'features', datatype: 'FP32', shape: [s.batch, s.width] }],
        outputs: [{ name: 'probabilities' }],
        raw_input_contents: [Buffer.from(x.buffer)],
      };
    });
    send = (i, cb) => call(bodies[i % bodies.length], cb);
  }
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let calls = 0;
  const start = performance.now();
  const end = start + s.durationMs;
  await Promise.all(
    Array.from({ length: s.concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const i = calls++;
        await new Promise<void>((resolve) => {
          send(i, (err) => {
            if (err)
              errors[grpc.status[err.code] ?? String(err.code)] =
                (errors[grpc.status[err.code] ?? String(err.code)] ?? 0) + 1;
            else latencies.push((performance.now() - t0) * 1000);
            resolve();
          });
        });
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  client.close();
  return { latenciesUs: latencies, calls, rows: latencies.length * s.batch, errors, elapsedMs };
}

process.on('message', (message: Scenario & { x?: number[] }) => {
  // Typed arrays do not survive IPC's JSON: the bench sends the tensor pool as a plain array.
  const scenario = (
    message.kind === 'modelInfer' ? { ...message, x: Float32Array.from(message.x as number[]) } : message
  ) as Scenario;
  void (scenario.kind === 'unary' ? unary(scenario) : closedLoop(scenario)).then((result) => process.send!(result));
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
