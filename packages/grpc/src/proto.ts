import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/**
 * How .proto files become JS objects, the same everywhere in omen: camelCase fields,
 * int64 as strings (a commit time fits a double, an id may not), enums as their names,
 * defaults filled in, and `oneof` names set so a handler can switch on them.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface LoadProtoOptions {
  /** Import roots for `import "..."` in the files. @default the directory of each file */
  includeDirs?: string[];
  /** @default PROTO_LOADER_OPTIONS */
  loaderOptions?: protoLoader.Options;
}

export interface LoadedProto {
  packageDefinition: protoLoader.PackageDefinition;
  grpcObject: grpc.GrpcObject;
  /** A service definition for `server.addService`, by full name (`omen.inference.v1.Inference`). */
  service(fullName: string): grpc.ServiceDefinition;
  /** A client constructor for `createClient`, by full name. */
  client(fullName: string): grpc.ServiceClientConstructor;
}

export function loadProto(files: string | string[], options: LoadProtoOptions = {}): LoadedProto {
  const list = Array.isArray(files) ? files : [files];
  const includeDirs = options.includeDirs ?? [...new Set(list.map((f) => path.dirname(f)))];
  const packageDefinition = protoLoader.loadSync(list, {
    ...(options.loaderOptions ?? PROTO_LOADER_OPTIONS),
    includeDirs,
  });
  const grpcObject = grpc.loadPackageDefinition(packageDefinition);
  const services = () =>
    Object.keys(packageDefinition)
      .filter((k) => !('format' in (packageDefinition[k] ?? {})))
      .join(', ');
  return {
    packageDefinition,
    grpcObject,
    service(fullName) {
      const def = packageDefinition[fullName];
      if (!def || 'format' in def)
        throw new Error(`no service ${fullName} in ${list.join(', ')} (services: ${services()})`);
      return def;
    },
    client(fullName) {
      let node: unknown = grpcObject;
      for (const part of fullName.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
      if (typeof node !== 'function' || !('service' in node))
        throw new Error(`no service ${fullName} in ${list.join(', ')} (services: ${services()})`);
      return node as grpc.ServiceClientConstructor;
    },
  };
}

const require = createRequire(import.meta.url);
const reflectionProtoDir = path.join(path.dirname(require.resolve('@grpc/reflection')), '../proto');

/** The standard protos every omen server speaks, for clients (CLI, tests) that call them. */
export const standardProtos = {
  health: healthProtoPath,
  reflectionV1: path.join(reflectionProtoDir, 'grpc/reflection/v1/reflection.proto'),
  reflectionV1alpha: path.join(reflectionProtoDir, 'grpc/reflection/v1alpha/reflection.proto'),
} as const;

/** `/pkg.Service/Method` → `{ service: 'pkg.Service', method: 'Method' }`. */
export function splitMethodPath(p: string): { service: string; method: string } {
  const trimmed = p.startsWith('/') ? p.slice(1) : p;
  const slash = trimmed.lastIndexOf('/');
  return slash < 0
    ? { service: '', method: trimmed }
    : { service: trimmed.slice(0, slash), method: trimmed.slice(slash + 1) };
}
