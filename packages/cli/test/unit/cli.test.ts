// The dispatcher and the models verb's argument checks, in process: what is printed, which exit
// code, and that a usage mistake is refused before anything is dialled.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLI_VERSION, runCli } from '../../src/cli.ts';
import { UsageError, type Command } from '../../src/command.ts';

let out: string;
let err: string;
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A verb that records its arguments; `body` answers (or throws) after a turn of the event loop, as a real verb does. */
function recorder(name: string, body: (argv: readonly string[]) => number): Command & { calls: (readonly string[])[] } {
  const calls: (readonly string[])[] = [];
  const run = async (argv: readonly string[]): Promise<number> => {
    calls.push(argv);
    await Promise.resolve();
    return body(argv);
  };
  return { name, summary: `the ${name} verb`, usage: `usage: omen ${name} ARG`, calls, run };
}

describe('omen (dispatch)', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(CLI_VERSION).toBe(pkg.version);
    expect(await runCli(['--version'])).toBe(0);
    expect(out).toBe(`omen ${pkg.version}\n`);
  });

  it('--help lists every verb (exit 0); no verb prints the same and exits 2', async () => {
    const verbs = [recorder('alpha', () => 0), recorder('beta', () => 0)];
    expect(await runCli(['--help'], verbs)).toBe(0);
    expect(out).toMatch(/^usage: omen <verb>/);
    expect(out).toContain('alpha  the alpha verb');
    expect(out).toContain('beta   the beta verb');
    out = '';
    expect(await runCli([], verbs)).toBe(2);
    expect(out).toContain('alpha  the alpha verb');
  });

  it('hands a verb the arguments after it and returns its exit code', async () => {
    const alpha = recorder('alpha', () => 7);
    const beta = recorder('beta', () => 0);
    expect(await runCli(['alpha', 'x', '--flag'], [alpha, beta])).toBe(7);
    expect(alpha.calls).toEqual([['x', '--flag']]);
    expect(beta.calls).toEqual([]);
  });

  it('VERB --help prints the verb usage without running it', async () => {
    const alpha = recorder('alpha', () => 0);
    expect(await runCli(['alpha', '--help'], [alpha])).toBe(0);
    expect(out).toBe('usage: omen alpha ARG\n');
    expect(alpha.calls).toEqual([]);
  });

  it('an unknown verb and a UsageError exit 2 with a message on stderr', async () => {
    const alpha = recorder('alpha', () => {
      throw new UsageError('alpha takes ARG');
    });
    expect(await runCli(['gamma'], [alpha])).toBe(2);
    expect(err).toBe('omen: unknown verb "gamma"\n');
    err = '';
    expect(await runCli(['alpha'], [alpha])).toBe(2);
    expect(err).toBe('omen alpha: alpha takes ARG\n\nusage: omen alpha ARG\n');
  });

  it('other failures propagate (main.ts prints them and exits 1)', async () => {
    const alpha = recorder('alpha', () => {
      throw new Error('boom');
    });
    await expect(runCli(['alpha'], [alpha])).rejects.toThrow('boom');
  });
});

describe('omen models (argument checks, no trainer needed)', () => {
  // Port 1 on loopback: nothing listens there, so a check that let the call through would fail differently.
  const addr = ['--addr', '127.0.0.1:1'];
  it.each([
    [['models'], 'which models verb?'],
    [['models', 'frobnicate'], 'unknown models verb "frobnicate"'],
    [['models', 'list', 'extra', ...addr], 'models list takes no positional arguments'],
    [['models', 'versions', ...addr], 'models versions takes MODEL'],
    [['models', 'promote', 'jit-defect', ...addr], 'models promote takes MODEL VERSION'],
    [
      ['models', 'get', 'jit-defect', '--version', 'v1', '--alias', 'champion', ...addr],
      'give --version or --alias, not both',
    ],
    [
      ['models', 'import', 'jit-defect', 'model.onnx', ...addr],
      "--feature-set NAME[@VERSION] is required (the model's input is checked against it)",
    ],
    [
      ['models', 'import', 'jit-defect', 'model.onnx', '--feature-set', 'Bad Name', ...addr],
      '--feature-set must be NAME or NAME@VERSION; got "Bad Name"',
    ],
  ])('%j is a usage mistake: %s', async (argv, message) => {
    expect(await runCli(argv)).toBe(2);
    expect(err.split('\n')[0]).toBe(`omen models: ${message}`);
  });

  it('an unknown option is a usage mistake too', async () => {
    expect(await runCli(['models', 'list', '--bogus'])).toBe(2);
    expect(err).toMatch(/^omen models: Unknown option '--bogus'/);
  });
});
