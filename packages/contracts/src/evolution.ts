import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, schemaRoot } from './paths.ts';

const run = promisify(execFile);

/** A schema as it is now, and as it was at the baseline it must stay compatible with. */
export interface PreviousSchema {
  /** File name without `.avsc`. */
  readonly name: string;
  /** Repository-relative path, e.g. "schemas/commit.avsc". */
  readonly file: string;
  /** The schema text in the working tree. */
  readonly current: string;
  /** The schema text at the baseline; null when the schema is new since then. */
  readonly previous: string | null;
  /** Which revision `previous` came from ("tag v1.2.0", "commit 1a2b3c4"); null when new. */
  readonly baseline: string | null;
}

async function git(args: readonly string[], cwd: string): Promise<string | null> {
  try {
    const { stdout } = await run('git', [...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch {
    return null;
  }
}

async function showAt(rev: string, file: string, cwd: string): Promise<string | null> {
  return git(['show', `${rev}:${file}`], cwd);
}

/**
 * For every schemas/*.avsc, the version it must stay BACKWARD-compatible with:
 * - `ref` when given (e.g. "origin/main" in a pull-request check);
 * - otherwise the latest git tag reachable from HEAD, when there is one (the last release);
 * - otherwise the newest commit that changed the file, or the one before it when the working
 *   tree still holds exactly that commit's text (so a committed change is checked against
 *   what it replaced).
 */
export async function previousSchemaVersions(options: { ref?: string; root?: string } = {}): Promise<PreviousSchema[]> {
  const root = options.root ?? repoRoot;
  const dir = options.root ? path.join(root, 'schemas') : schemaRoot;
  if ((await git(['rev-parse', '--is-inside-work-tree'], root))?.trim() !== 'true') {
    throw new Error(
      `${root} is not a git work tree: the schema evolution guard compares schemas with their git history`,
    );
  }
  let fixedRev: string | null = null;
  let fixedLabel: string | null = null;
  if (options.ref) {
    if ((await git(['rev-parse', '--verify', '--quiet', `${options.ref}^{commit}`], root)) === null) {
      throw new Error(`schema baseline "${options.ref}" is not a git revision`);
    }
    fixedRev = options.ref;
    fixedLabel = `ref ${options.ref}`;
  } else {
    const tag = (await git(['describe', '--tags', '--abbrev=0', 'HEAD'], root))?.trim();
    if (tag) {
      fixedRev = tag;
      fixedLabel = `tag ${tag}`;
    }
  }

  const names = (await readdir(dir)).filter((f) => f.endsWith('.avsc')).sort();
  return Promise.all(
    names.map(async (fileName): Promise<PreviousSchema> => {
      const file = `schemas/${fileName}`;
      const current = await readFile(path.join(dir, fileName), 'utf8');
      const name = fileName.slice(0, -'.avsc'.length);
      if (fixedRev !== null) {
        const previous = await showAt(fixedRev, file, root);
        return { name, file, current, previous, baseline: previous === null ? null : fixedLabel };
      }
      const log = (await git(['log', '--format=%H', '--', file], root)) ?? '';
      const commits = log.split('\n').filter(Boolean);
      const newest = commits[0];
      if (newest === undefined) return { name, file, current, previous: null, baseline: null };
      const atNewest = await showAt(newest, file, root);
      const rev = atNewest === current ? commits[1] : newest;
      const previous = rev === undefined ? null : await showAt(rev, file, root);
      return {
        name,
        file,
        current,
        previous,
        baseline: previous === null || rev === undefined ? null : `commit ${rev.slice(0, 12)}`,
      };
    }),
  );
}
