import { describe, expect, it } from 'vitest';
import { KeyedSerializer } from '../../src/serial.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('KeyedSerializer', () => {
  it('runs one key in order, each task after the earlier ones settled, failures included', async () => {
    const s = new KeyedSerializer();
    const log: string[] = [];
    let release!: () => void;
    const first = s.run('a', () => new Promise<void>((resolve) => (release = resolve)).then(() => void log.push('a1')));
    const second = s.run('a', () => Promise.reject(new Error('a2 failed')));
    const third = s.run('a', () => void log.push('a3'));
    await tick();
    expect(log).toEqual([]);
    release();
    await first;
    await expect(second).rejects.toThrow('a2 failed');
    await third;
    expect(log).toEqual(['a1', 'a3']);
  });

  it('runs different keys concurrently and forgets a key once its tasks settled', async () => {
    const s = new KeyedSerializer();
    const log: string[] = [];
    const blocked = s.run('a', () => new Promise<void>(() => undefined));
    await s.run('b', () => void log.push('b'));
    expect(log).toEqual(['b']);
    await tick();
    expect(s.size).toBe(1);
    void blocked;
  });
});
