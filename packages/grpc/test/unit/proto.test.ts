import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProto, splitMethodPath, standardProtos } from '@omen/grpc';

describe('loadProto', () => {
  const proto = loadProto(path.join(import.meta.dirname, '../fixtures/echo.proto'));

  it('gives service definitions and client constructors by full name', () => {
    const def = proto.service('omen.test.v1.Echo');
    expect(Object.values(def).map((m) => m.path)).toContain('/omen.test.v1.Echo/Say');
    expect(typeof proto.client('omen.test.v1.Echo')).toBe('function');
  });

  it('names the available services when asked for a missing one', () => {
    expect(() => proto.service('omen.test.v1.Nope')).toThrow(
      /no service omen\.test\.v1\.Nope .*services: omen\.test\.v1\.Echo/,
    );
    expect(() => proto.service('omen.test.v1.SayRequest')).toThrow(/no service/);
    expect(() => proto.client('omen.test.v1.Nope')).toThrow(/no service/);
  });

  it('loads the standard health and reflection protos', () => {
    expect(() => loadProto(standardProtos.health).client('grpc.health.v1.Health')).not.toThrow();
    expect(() => loadProto(standardProtos.reflectionV1).client('grpc.reflection.v1.ServerReflection')).not.toThrow();
  });
});

describe('splitMethodPath', () => {
  it.each([
    ['/omen.test.v1.Echo/Say', { service: 'omen.test.v1.Echo', method: 'Say' }],
    ['omen.test.v1.Echo/Say', { service: 'omen.test.v1.Echo', method: 'Say' }],
    ['Say', { service: '', method: 'Say' }],
  ])('%s', (p, expected) => expect(splitMethodPath(p)).toEqual(expected));
});
