import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  actionDetailKey,
  commitEventId,
  dedupKeys,
  issueEventId,
  parseRepoId,
  pseudonym,
  pullRequestEventId,
  repoId,
} from '../../../src/domain/ids.ts';
import { repoRefFromName } from '../../../src/domain/normalize.ts';
import { parseScmTime } from '../../../src/domain/validation.ts';

describe('ids', () => {
  it('lower-cases GitHub and GitLab repository ids (their paths are case-insensitive) but not git', () => {
    expect(repoId('github', 'Codertocat/Hello-World')).toBe('github:codertocat/hello-world');
    expect(repoId('gitlab', 'Group/Sub/Proj')).toBe('gitlab:group/sub/proj');
    expect(repoId('git', 'Mirror/Repo')).toBe('git:Mirror/Repo');
    expect(parseRepoId('github:a/b')).toEqual({ provider: 'github', path: 'a/b' });
    expect(parseRepoId('svn:a/b')).toBeUndefined();
  });

  it('makes event ids from the schema formulas', () => {
    expect(commitEventId('github:a/b', 'ABC')).toBe('github:a/b:abc');
    expect(pullRequestEventId('github:a/b', 7, 'merged', 1000)).toBe('github:a/b:pr:7:merged:1000');
    expect(issueEventId('gitlab:g/p', 3, 'opened', 5)).toBe('gitlab:g/p:issue:3:opened:5');
    expect(issueEventId('gitlab:g/p', 3, 'labeled', 5, 'abc123')).toBe('gitlab:g/p:issue:3:labeled:5:abc123');
    expect(dedupKeys.event('github:a/b:abc')).toBe('omen:ingest:event:github:a/b:abc');
    expect(dedupKeys.delivery('github', 'd-1')).toBe('omen:ingest:delivery:github:d-1');
  });

  it('tells apart same-second actions that change different things, and only those', () => {
    const labeled = (name: string) => ({ action: 'labeled', label: { name }, issue: { number: 1 } });
    expect(actionDetailKey(labeled('bug'))).toMatch(/^[0-9a-f]{12}$/);
    expect(actionDetailKey(labeled('bug'))).toBe(actionDetailKey(labeled('bug')));
    expect(actionDetailKey(labeled('bug'))).not.toBe(actionDetailKey(labeled('p1')));
    expect(actionDetailKey({ action: 'opened', issue: { number: 1 } })).toBe('');
    expect(actionDetailKey(null)).toBe('');
  });

  it('pseudonymises with a key: stable, case-insensitive, different per key', () => {
    const a = pseudonym('k1', 'Dev@Example.org');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(pseudonym('k1', ' dev@example.org')).toBe(a);
    expect(pseudonym('k2', 'dev@example.org')).not.toBe(a);
    // Remembered answers are the HMAC's, asked again and past the cache's bound.
    const hmac = (key: string, id: string): string =>
      createHmac('sha256', key).update(id.trim().toLowerCase()).digest('hex').slice(0, 16);
    for (let i = 0; i < 10_050; i++) pseudonym('k3', `dev${i}@example.org`);
    for (const i of [0, 49, 50, 10_049])
      expect(pseudonym('k3', `dev${i}@example.org`)).toBe(hmac('k3', `dev${i}@example.org`));
    expect(pseudonym('k1', 'Dev@Example.org')).toBe(hmac('k1', 'dev@example.org'));
  });

  it('reads repository names from the command line', () => {
    expect(repoRefFromName('github:expressjs/express')).toEqual({
      provider: 'github',
      id: 'github:expressjs/express',
      name: 'expressjs/express',
    });
    expect(repoRefFromName('local/repo')).toEqual({ provider: 'git', id: 'git:local/repo', name: 'local/repo' });
    expect(repoRefFromName('github:express')).toEqual({ error: expect.stringContaining('owner/name') });
    expect(repoRefFromName('  ')).toEqual({ error: expect.stringContaining('must be') });
  });
});

describe('parseScmTime', () => {
  it('reads GitHub and GitLab timestamp forms', () => {
    expect(parseScmTime('2019-05-15T15:20:41Z')).toBe(Date.UTC(2019, 4, 15, 15, 20, 41));
    expect(parseScmTime('2011-12-12T14:27:31+02:00')).toBe(Date.UTC(2011, 11, 12, 12, 27, 31));
    expect(parseScmTime('2017-09-15 16:52:00 UTC')).toBe(Date.UTC(2017, 8, 15, 16, 52, 0));
    expect(parseScmTime('2011-12-12T14:27:31.000+0200')).toBe(Date.UTC(2011, 11, 12, 12, 27, 31));
  });

  it('refuses what Date.parse would wrongly accept', () => {
    expect(parseScmTime('1')).toBeUndefined();
    expect(parseScmTime('2019-05-15')).toBeUndefined();
    expect(parseScmTime('yesterday')).toBeUndefined();
    expect(parseScmTime('2019-13-45T99:99:99Z')).toBeUndefined();
  });
});
