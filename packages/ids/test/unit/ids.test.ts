import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOmenError } from '@omen/errors';
import {
  checkId,
  checkName,
  checkRepoId,
  checkSha,
  ID_LIMITS,
  isShaPrefix,
  repoIdProblem,
  shown,
} from '../../src/index.ts';

// Regression, issue 11: repository ids with bidi overrides, U+FFFF, `../../../../etc/passwd`,
// quotes and backslashes were accepted and stored in Kafka keys and ClickHouse; a 1 MB id was
// echoed back whole.
describe('repository ids', () => {
  it('accepts the three forms', () => {
    for (const id of [
      'github:expressjs/express',
      'github:Codertocat/Hello-World',
      'github:a/.github',
      'gitlab:gitlab-org/gitlab',
      'gitlab:group/sub/sub2/project.name',
      'git:express',
      'git:mirrors/express_2',
    ]) {
      expect(repoIdProblem(id), id).toBeNull();
    }
  });

  it('refuses what the issue found, naming the field and never echoing the value raw', () => {
    const hostile = [
      'github:acme/\u202Eevil',
      'github:acme/x\uFFFF',
      'github:../../../../etc/passwd',
      'git:../../../../etc/passwd',
      'gitlab:group/../project',
      'gitlab:group/./project',
      'github:acme/"quoted"',
      "github:acme/it's",
      'github:acme\\name',
      'github:acme/na\u0000me',
      'github:acme/new\nline',
      'github:acme/émoji😀',
      'github:acme',
      'github:acme/a/b',
      'svn:acme/repo',
      'acme/repo',
      '',
      `github:acme/${'a'.repeat(1024 * 1024)}`,
    ];
    for (const id of hostile) {
      const err: unknown = (() => {
        try {
          return checkRepoId(id, 'commit.repo_id');
        } catch (e) {
          return e;
        }
      })();
      expect(isOmenError(err) && err.code, JSON.stringify(id.slice(0, 50))).toBe('INVALID_ARGUMENT');
      const message = (err as Error).message;
      expect(message.startsWith('commit.repo_id ')).toBe(true);
      expect(message.length).toBeLessThan(400);
      expect(message).not.toMatch(/[^\x20-\x7e]/);
      expect((err as { field?: string }).field).toBe('commit.repo_id');
    }
  });

  it('refuses any id holding a character outside printable ASCII, and any longer than the limit', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }).filter((s) => /[^\x21-\x7e]/.test(s)),
        (name, bad) => {
          expect(repoIdProblem(`github:acme/${name}${bad}`)).not.toBeNull();
        },
      ),
      { seed: 11, numRuns: 500 },
    );
    const longest = `git:${'a'.repeat(ID_LIMITS.repoId - 4)}`;
    expect(repoIdProblem(longest)).toMatch(/must be|at most/);
    expect(repoIdProblem(`git:${'a'.repeat(ID_LIMITS.repoId)}`)).toMatch(/at most 256/);
  });
});

describe('shas, names and ids', () => {
  it('checkSha takes 40 or 64 lower-case hex only', () => {
    expect(checkSha('a'.repeat(40))).toBe('a'.repeat(40));
    expect(checkSha('0'.repeat(64))).toBe('0'.repeat(64));
    for (const bad of ['A'.repeat(40), 'a'.repeat(39), 'a'.repeat(41), 'g'.repeat(40), `${'a'.repeat(39)}\n`])
      expect(() => checkSha(bad)).toThrow(/sha must be a full commit id/);
  });

  it('isShaPrefix takes what a person types for a commit: 7 to 64 lower-case hex', () => {
    for (const ok of ['abcdef0', 'a'.repeat(40), '0'.repeat(64)]) expect(isShaPrefix(ok), ok).toBe(true);
    for (const bad of ['abcdef', 'ABCDEF0', 'a'.repeat(65), 'abcdefg', 'abcdef0\n'])
      expect(isShaPrefix(bad), bad).toBe(false);
  });

  it('checkName and checkId refuse symbols first, unsafe characters and overlong values, naming the field', () => {
    expect(checkName('jit-defect', 'model_name')).toBe('jit-defect');
    expect(checkId('exp:2024-01.a_b', 'experiment_id')).toBe('exp:2024-01.a_b');
    expect(() => checkName('', 'model_name')).toThrow(/^model_name is required$/);
    expect(() => checkId('', 'run_id')).toThrow(/^run_id is required$/);
    for (const bad of ['.hidden', '../x', 'a/b', 'x\ny', 'run-é', 'a"b', 'a'.repeat(129)]) {
      expect(() => checkName(bad, 'model_name'), bad).toThrow(/^model_name must be 1-128/);
      expect(() => checkId(bad, 'run_id'), bad).toThrow(/^run_id must be 1-128/);
    }
    expect(() => checkName('a:b', 'version')).toThrow(/^version must/);
  });

  it('shown escapes every non-printable or non-ASCII character and cuts long values', () => {
    expect(shown('x\ny\u202E')).toBe('"x\\ny\\u202e"');
    expect(shown('a'.repeat(1000))).toBe(`"${'a'.repeat(40)}"... (1000 characters)`);
  });
});
