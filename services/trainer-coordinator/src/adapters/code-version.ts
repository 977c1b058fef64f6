import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The git commit the trainer runs from ("<sha>" or "<sha>+dirty" when its own sources have
 * uncommitted changes), or "unknown" outside a checkout. Recorded in every version's lineage.
 */
export async function gitCodeVersion(cwd: string): Promise<string> {
  try {
    const { stdout } = await run('git', ['rev-parse', 'HEAD'], { cwd, timeout: 5000 });
    const sha = stdout.trim();
    const { stdout: status } = await run(
      'git',
      ['status', '--porcelain', '--', 'services/trainer-coordinator/src', 'packages/model-registry/src'],
      { cwd, timeout: 5000 },
    );
    return status.trim() === '' ? sha : `${sha}+dirty`;
  } catch {
    return 'unknown';
  }
}
