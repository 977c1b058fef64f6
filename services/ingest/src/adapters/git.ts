import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { NotFoundError, OmenError } from '@omen/errors';
import { isFullSha } from '@omen/ids';
import type { CommitDetail } from '../domain/enrich.ts';
import { GitLogParser, gitConfigArgs, gitLogDiffArgs } from '../domain/gitlog.ts';
import { canonicalOrder, type OrderNode } from '../domain/history-order.ts';

export interface GitLogOptions {
  /** Revision range or ref to walk. @default HEAD */
  rev?: string;
  /** Stops the walk (Ctrl-C in backfill); the git process is killed. */
  signal?: AbortSignal;
  /** The git executable. @default git */
  git?: string;
}

/**
 * Walks a local repository's history in canonical order (domain/history-order.ts: parents
 * first, then commit time, then sha) with numstat and diffs, one commit at a time. Two passes:
 * the graph alone (shas, parents, times: a few dozen bytes per commit) to compute the order,
 * then `git log --no-walk=unsorted --stdin` fed that order, so memory holds the graph and one
 * commit's diff, however long the history.
 */
export async function* readGitLog(repoPath: string, options: GitLogOptions = {}): AsyncGenerator<CommitDetail> {
  const order = canonicalOrder(await readGraph(repoPath, options));
  if (order.length === 0) return;
  const args = [...gitConfigArgs, 'log', '--no-walk=unsorted', '--stdin', ...gitLogDiffArgs];
  yield* runGit(repoPath, args, options, order.map((n) => `${n.sha}\n`).join(''));
}

/** Shas, parents and commit times of every commit reachable from `rev`. */
export async function readGraph(repoPath: string, options: GitLogOptions = {}): Promise<OrderNode[]> {
  const args = [...gitConfigArgs, 'log', '--format=%H %ct %P', options.rev ?? 'HEAD', '--'];
  const child = spawn(options.git ?? 'git', ['-C', repoPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let out = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).catch((err: unknown) => {
    if (options.signal?.aborted) throw new OmenError('CANCELLED', 'git walk cancelled', { cause: err });
    throw gitError(repoPath, args, null, err instanceof Error ? err.message : String(err));
  });
  if (code !== 0) throw gitError(repoPath, args, code, stderr);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [sha = '', ct = '', ...parents] = l.split(' ');
      return { sha, parents: parents.filter((p) => p !== ''), commitTime: Number(ct) * 1000 };
    });
}

/** One commit of a local mirror, in the same shape (`git show`). */
export async function showCommit(
  repoPath: string,
  sha: string,
  options: Omit<GitLogOptions, 'rev'> = {},
): Promise<CommitDetail> {
  if (!isFullSha(sha)) throw new OmenError('INVALID_ARGUMENT', `not a full commit sha: "${sha}"`);
  const args = [...gitConfigArgs, 'show', ...gitLogDiffArgs, sha, '--'];
  for await (const detail of runGit(repoPath, args, options)) return detail;
  throw new NotFoundError(`git mirror ${repoPath} printed nothing for ${sha}`, sha);
}

export interface GitMirrorReaderOptions {
  /** git processes kept running for this mirror; each request goes to the least busy. @default 2 */
  processes?: number;
  /** The git executable. @default git */
  git?: string;
}

interface PendingShow {
  sha: string;
  resolve: (detail: CommitDetail) => void;
  reject: (err: unknown) => void;
}

/** One long-running `git diff-tree --stdin` and the requests it is answering, in order. */
/**
 * An idle reader must not keep the process alive at shutdown (git exits when its stdin closes),
 * but one with requests in flight must: the answers are awaited.
 */
function holdOpen(p: DiffTreeProcess, hold: boolean): void {
  for (const handle of [p.child, p.child.stdin, p.child.stdout, p.child.stderr] as unknown as Socket[]) {
    if (hold) handle.ref();
    else handle.unref();
  }
}

interface DiffTreeProcess {
  child: ChildProcessWithoutNullStreams;
  pending: PendingShow[];
  text: string;
  searchFrom: number;
  stderr: string;
  dead: boolean;
}

/**
 * One local mirror's commits for webhook enrichment: `showCommit`'s answer for each sha, from
 * long-running `git diff-tree --stdin` processes instead of a `git show` per commit. Spawning
 * blocks Node's event loop until the child has exec'd (fork of the whole service's memory, then a
 * handshake): 190 ms a spawn at load 22 on the two-core dev machine, so a process per pushed
 * commit capped ingest at about five webhooks a second and queued the rest for minutes, with
 * Redis timing out behind them. diff-tree reads one sha a line and diffs it against its first
 * parent with the same arguments as `git log` (gitLogDiffArgs); a line that is not an object name
 * it echoes and flushes, which marks where each commit's output ends (a random token per
 * process, so no commit's text can contain it). An unknown sha prints nothing: NOT_FOUND. A git
 * process that dies fails its requests in flight and is replaced by the next request.
 */
export class GitMirrorReader {
  readonly #pool: (DiffTreeProcess | undefined)[];
  readonly #marker = `omen-end-${randomBytes(12).toString('hex')}`;
  readonly #repoPath: string;
  readonly #options: GitMirrorReaderOptions;

  constructor(repoPath: string, options: GitMirrorReaderOptions = {}) {
    this.#repoPath = repoPath;
    this.#options = options;
    this.#pool = Array.from({ length: Math.max(1, options.processes ?? 2) });
  }

  show(sha: string): Promise<CommitDetail> {
    if (!isFullSha(sha)) return Promise.reject(new OmenError('INVALID_ARGUMENT', `not a full commit sha: "${sha}"`));
    let slot = 0;
    for (let i = 1; i < this.#pool.length; i++) {
      if ((this.#pool[i]?.pending.length ?? 0) < (this.#pool[slot]?.pending.length ?? 0)) slot = i;
    }
    const running = this.#pool[slot];
    const p = running && !running.dead ? running : (this.#pool[slot] = this.#start());
    return new Promise((resolve, reject) => {
      if (p.pending.length === 0) holdOpen(p, true);
      p.pending.push({ sha, resolve, reject });
      p.child.stdin.write(`${sha}\n${this.#marker}\n`);
    });
  }

  /** Ends the git processes (each finishes the requests it has). */
  close(): void {
    for (const p of this.#pool) p?.child.stdin.end();
  }

  #start(): DiffTreeProcess {
    const args = [...gitConfigArgs, 'diff-tree', '--stdin', '--root', '--always', '-r', ...gitLogDiffArgs];
    const child = spawn(this.#options.git ?? 'git', ['-C', this.#repoPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Flush after every commit whatever stdout is (git skips it for regular files only).
      env: { ...process.env, GIT_FLUSH: '1' },
    });
    const p: DiffTreeProcess = { child, pending: [], text: '', searchFrom: 0, stderr: '', dead: false };
    holdOpen(p, false);
    child.stdin.on('error', () => undefined);
    const decoder = new StringDecoder('utf8');
    child.stdout.on('data', (chunk: Buffer) => {
      p.text += decoder.write(chunk);
      this.#drain(p);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (p.stderr = (p.stderr + d).slice(-4000)));
    const fail = (err: unknown): void => {
      if (p.dead) return;
      p.dead = true;
      const reason =
        err instanceof OmenError
          ? err
          : gitError(
              this.#repoPath,
              ['diff-tree'],
              null,
              p.stderr || (err instanceof Error ? err.message : String(err)),
            );
      for (const r of p.pending.splice(0)) r.reject(reason);
    };
    child.on('error', fail);
    child.on('close', (code) => fail(gitError(this.#repoPath, ['diff-tree'], code, p.stderr)));
    return p;
  }

  #drain(p: DiffTreeProcess): void {
    for (;;) {
      const end = p.text.indexOf(this.#marker, p.searchFrom);
      if (end < 0) {
        p.searchFrom = Math.max(0, p.text.length - this.#marker.length);
        return;
      }
      const output = p.text.slice(0, end);
      p.text = p.text.slice(end + this.#marker.length + 1);
      p.searchFrom = 0;
      const request = p.pending.shift();
      if (!request) continue;
      if (p.pending.length === 0) holdOpen(p, false);
      try {
        const parser = new GitLogParser();
        const details = [...parser.push(output), ...parser.end()];
        const detail = details.find((d) => d.sha === request.sha);
        if (detail) request.resolve(detail);
        else
          request.reject(new NotFoundError(`git mirror ${this.#repoPath} has no commit ${request.sha}`, request.sha));
      } catch (err) {
        request.reject(err);
      }
    }
  }
}

async function* runGit(
  repoPath: string,
  args: string[],
  options: Omit<GitLogOptions, 'rev'>,
  input?: string,
): AsyncGenerator<CommitDetail> {
  const child = spawn(options.git ?? 'git', ['-C', repoPath, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // git stops reading when the walk is abandoned (Ctrl-C, a failed batch): not an error here.
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  // Keep a failed spawn (no git, bad path) from surfacing as an unhandled rejection while the
  // stream below is still being read; the same promise is awaited after it.
  exited.catch(() => undefined);
  const parser = new GitLogParser();
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (const detail of parser.push(decoder.write(chunk))) yield detail;
    }
    const code = await exited;
    if (code !== 0) throw gitError(repoPath, args, code, stderr);
    for (const detail of parser.push(decoder.end())) yield detail;
    for (const detail of parser.end()) yield detail;
  } catch (err) {
    if (options.signal?.aborted) throw new OmenError('CANCELLED', 'git walk cancelled', { cause: err });
    if (err instanceof OmenError) throw err;
    const code = await exited.catch(() => null);
    throw gitError(repoPath, args, code, stderr || (err instanceof Error ? err.message : String(err)));
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

function gitError(repoPath: string, args: readonly string[], code: number | null, stderr: string): OmenError {
  const verb = args.find((a) => a === 'log' || a === 'show' || a === 'diff-tree') ?? 'git';
  const message = stderr.trim().split('\n').slice(-3).join(' | ') || `exit code ${String(code)}`;
  if (/unknown revision|bad object|bad revision|does not have any commits/i.test(message)) {
    return new NotFoundError(`git ${verb} in ${repoPath}: ${message}`, repoPath);
  }
  if (/not a git repository|cannot change to/i.test(message)) {
    return new OmenError('INVALID_ARGUMENT', `${repoPath} is not a git repository: ${message}`);
  }
  return new OmenError('INTERNAL', `git ${verb} in ${repoPath} failed: ${message}`);
}
