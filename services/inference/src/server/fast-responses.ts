// Response serialisation without proto-loader's per-message `fromObject` pass. proto-loader
// serialises with `Type.encode(Type.fromObject(value))`; fromObject copies every message into a
// protobufjs instance (converting strings to numbers, enum names to ids...), and on a
// PredictBatch response it costs ~5x the encoding itself (bench: 23 µs vs 4 µs per row). The
// handlers here build their responses with the wire types already (numbers for doubles,
// arrays, plain objects for maps), which `encode` takes as they are. The unit test checks the
// bytes decode to what the standard serializer's bytes decode to.
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { protoFiles, protoRoot } from '@omen/contracts';

let root: protobuf.Root | undefined;

function protoRootObject(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    r.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(protoRoot, target));
    r.loadSync([protoFiles.inference, protoFiles.kserve], { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** `definition` with every method's response encoded straight from the plain object. */
export function withFastResponses(definition: grpc.ServiceDefinition, serviceName: string): grpc.ServiceDefinition {
  const service = protoRootObject().lookupService(serviceName);
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [key, method] of Object.entries(definition)) {
    const type = service.methods[key]?.resolvedResponseType;
    if (!type) throw new Error(`${serviceName} has no method ${key}`);
    out[key] = {
      ...method,
      responseSerialize: (value: unknown): Buffer => {
        const bytes = type.encode(value as protobuf.Message).finish();
        return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
    };
  }
  return out;
}
