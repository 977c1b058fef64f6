import { readdirSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { protoRoot } from '@omen/contracts';

/** One RPC as the contracts declare it. */
export interface ContractMethod {
  /** `omen.trainer.v1.Trainer` */
  service: string;
  /** `GetRun` */
  name: string;
  /** `/omen.trainer.v1.Trainer/GetRun` */
  path: string;
  requestType: protobuf.Type;
  requestStream: boolean;
  responseStream: boolean;
}

/** Every .proto file under `root`, relative to it, in a stable order. */
export function protoFilesUnder(root: string = protoRoot): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.proto')) out.push(path.relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Every service method declared in the contracts, read from the .proto files themselves (not
 * from a list kept beside them), so a new file, service, RPC or field is fuzzed without
 * anyone editing the fuzzer.
 */
export function contractMethods(root: string = protoRoot): ContractMethod[] {
  const pb = new protobuf.Root();
  pb.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(root, target));
  pb.loadSync(protoFilesUnder(root), { keepCase: true });
  pb.resolveAll();
  const methods: ContractMethod[] = [];
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Service) {
        const service = child.fullName.replace(/^\./, '');
        for (const m of child.methodsArray) {
          methods.push({
            service,
            name: m.name,
            path: `/${service}/${m.name}`,
            requestType: m.resolvedRequestType!,
            requestStream: m.requestStream === true,
            responseStream: m.responseStream === true,
          });
        }
      } else if (child instanceof protobuf.Namespace) {
        visit(child);
      }
    }
  };
  visit(pb);
  return methods;
}
