import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDITED_METHODS, METHOD_ROLES, grants } from '../../src/index.ts';

const protosDir = path.join(import.meta.dirname, '../../../../protos');

/** Every `/package.Service/Method` the .proto files under protos/ declare. */
function protoMethods(): string[] {
  const files = readdirSync(protosDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.proto'));
  const out: string[] = [];
  for (const f of files) {
    const text = readFileSync(path.join(protosDir, f), 'utf8').replace(/\/\/.*$/gm, '');
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(text)?.[1];
    for (const svc of text.matchAll(/service\s+(\w+)\s*\{([\s\S]*?)\n\}/g)) {
      for (const rpc of svc[2]!.matchAll(/rpc\s+(\w+)\s*\(/g)) out.push(`/${pkg}.${svc[1]}/${rpc[1]}`);
    }
  }
  return out.sort();
}

describe('METHOD_ROLES', () => {
  it('gives every RPC in protos/ a role, and names no RPC that does not exist', () => {
    const methods = protoMethods();
    expect(methods.length).toBeGreaterThan(30);
    expect(Object.keys(METHOD_ROLES).sort()).toEqual(methods);
  });

  it('puts promote, rollback and import behind admin, training and experiments behind operator', () => {
    for (const m of ['Promote', 'Rollback', 'ImportModel'])
      expect(METHOD_ROLES[`/omen.trainer.v1.Trainer/${m}`]).toBe('admin');
    for (const m of ['StartRun', 'CancelRun']) expect(METHOD_ROLES[`/omen.trainer.v1.Trainer/${m}`]).toBe('operator');
    for (const m of ['CreateExperiment', 'StopExperiment'])
      expect(METHOD_ROLES[`/omen.abrouter.v1.AbRouter/${m}`]).toBe('operator');
  });

  it('audits every non-reader method and every served prediction', () => {
    for (const [m, role] of Object.entries(METHOD_ROLES))
      if (role !== 'reader') expect(AUDITED_METHODS.has(m), m).toBe(true);
    expect(AUDITED_METHODS.has('/inference.GRPCInferenceService/ModelInfer')).toBe(true);
    expect(AUDITED_METHODS.has('/omen.inference.v1.Inference/Predict')).toBe(true);
    expect(AUDITED_METHODS.has('/omen.trainer.v1.Trainer/GetModel')).toBe(false);
  });

  it('orders roles: admin may do what operator may, operator what reader may, not the reverse', () => {
    expect(grants(['admin'], 'reader')).toBe(true);
    expect(grants(['operator'], 'operator')).toBe(true);
    expect(grants(['operator'], 'admin')).toBe(false);
    expect(grants(['reader'], 'operator')).toBe(false);
    expect(grants([], 'reader')).toBe(false);
  });
});
