import { isFullSha } from '@omen/ids';
import { countLines, parseHunks } from './diff.ts';
import type { CommitDetail } from './enrich.ts';
import type { FileChange, FileStatus } from './events.ts';
import { normaliseMessage } from './validation.ts';

/**
 * `git log` / `git show` arguments whose output `GitLogParser` reads. Every commit starts with a
 * NUL and its seven header fields are NUL-separated (commit messages cannot contain NUL, and git
 * prints no file content with NUL: such files are "Binary files ... differ"), then come the
 * numstat lines and the patch (its context lines are dropped by parseHunks: events carry
 * zero-context hunks). Merges are diffed against their first parent, as the schema asks;
 * `%aE`/`%cE` apply .mailmap so one person's addresses share one id.
 *
 * The diff is pinned to what a plain `git log --numstat` prints (Myers, indent heuristic, three
 * lines of context), because the line counts depend on it: with `-U0` git aligns some changes
 * differently and 8 of express's commits got other LA/LD than the numstat export of the same
 * history, so the same commit had two answers.
 */
export const gitConfigArgs: readonly string[] = [
  // Neutralise user settings that would change the output: quoting, prefixes, colours,
  // signature blocks, re-encoding.
  '-c',
  'core.quotePath=false',
  '-c',
  'diff.noprefix=false',
  '-c',
  'diff.mnemonicPrefix=false',
  '-c',
  'color.ui=never',
  '-c',
  'log.showSignature=false',
  '-c',
  'i18n.logOutputEncoding=UTF-8',
];

export const gitLogDiffArgs: readonly string[] = [
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '-M',
  '--diff-algorithm=myers',
  '--indent-heuristic',
  '--diff-merges=first-parent',
  '--numstat',
  '-p',
  '-U3',
  '--format=%x00%H%x00%P%x00%aE%x00%cE%x00%at%x00%ct%x00%B%x00',
];

const fieldsPerCommit = 8;

/**
 * Streaming parser of that output: feed decoded text with `push`, collect finished commits;
 * `end` flushes the last one. Holds at most one commit's text at a time.
 */
export class GitLogParser {
  #buffer = '';
  #fields: string[] = [];
  #sawPreamble = false;

  push(chunk: string): CommitDetail[] {
    this.#buffer += chunk;
    const out: CommitDetail[] = [];
    let nul = this.#buffer.indexOf('\0');
    while (nul !== -1) {
      const token = this.#buffer.slice(0, nul);
      this.#buffer = this.#buffer.slice(nul + 1);
      if (!this.#sawPreamble) {
        this.#sawPreamble = true;
      } else {
        this.#fields.push(token);
        if (this.#fields.length === fieldsPerCommit) {
          out.push(parseCommit(this.#fields));
          this.#fields = [];
        }
      }
      nul = this.#buffer.indexOf('\0');
    }
    return out;
  }

  end(): CommitDetail[] {
    if (this.#fields.length === fieldsPerCommit - 1) {
      this.#fields.push(this.#buffer);
      this.#buffer = '';
      const last = parseCommit(this.#fields);
      this.#fields = [];
      return [last];
    }
    if (this.#fields.length > 0 || this.#buffer.trim() !== '') {
      throw new Error(`git output ended inside a commit header (${this.#fields.length} of ${fieldsPerCommit} fields)`);
    }
    return [];
  }
}

function parseCommit(fields: readonly string[]): CommitDetail {
  const [sha = '', parents = '', authorEmail = '', committerEmail = '', at = '', ct = '', message = '', body = ''] =
    fields;
  if (!isFullSha(sha)) throw new Error(`git output: expected a commit sha, got "${sha.slice(0, 80)}"`);
  return {
    sha,
    parents: parents.split(' ').filter((p) => p !== ''),
    authorIdentity: authorEmail || 'name:unknown',
    committerIdentity: committerEmail || 'name:unknown',
    authorTime: Number(at) * 1000,
    commitTime: Number(ct) * 1000,
    message: normaliseMessage(message),
    files: parseChanges(body),
  };
}

interface Numstat {
  added: number;
  deleted: number;
  binary: boolean;
}

/** The numstat block and the patch of one commit into file changes. */
export function parseChanges(body: string): FileChange[] {
  const lines = body.split('\n');
  const numstats: Numstat[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('diff --git ')) break;
    const m = /^(\d+|-)\t(\d+|-)\t/.exec(line);
    if (m)
      numstats.push({
        added: m[1] === '-' ? 0 : Number(m[1]),
        deleted: m[2] === '-' ? 0 : Number(m[2]),
        binary: m[1] === '-',
      });
  }
  const blocks: string[][] = [];
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('diff --git ')) blocks.push([line]);
    else blocks[blocks.length - 1]?.push(line);
  }
  const files = blocks.map(parseFileBlock);
  // numstat and patch walk the same diff queue, so they list files in the same order; should
  // they ever disagree, the patch's own counts stand.
  if (numstats.length === files.length) {
    files.forEach((f, k) => {
      const n = numstats[k];
      if (!n) return;
      f.binary = n.binary || f.binary;
      f.lines_added = n.added;
      f.lines_deleted = n.deleted;
      if (f.binary) f.hunks = null;
    });
  }
  return files;
}

function parseFileBlock(block: readonly string[]): FileChange {
  const [header = '', ...rest] = block;
  let oldPath: string | undefined;
  let newPath: string | undefined;
  let status: FileStatus = 'modified';
  let binary = false;
  let hunkStart = -1;
  for (let k = 0; k < rest.length; k++) {
    const line = rest[k] ?? '';
    if (line.startsWith('@@')) {
      hunkStart = k;
      break;
    }
    if (line.startsWith('new file mode')) status = 'added';
    else if (line.startsWith('deleted file mode')) status = 'deleted';
    else if (line.startsWith('rename from ')) {
      status = 'renamed';
      oldPath = unquote(line.slice(12));
    } else if (line.startsWith('rename to ')) newPath = unquote(line.slice(10));
    else if (line.startsWith('copy from ')) {
      status = 'copied';
      oldPath = unquote(line.slice(10));
    } else if (line.startsWith('copy to ')) newPath = unquote(line.slice(8));
    else if (line.startsWith('--- ')) oldPath ??= stripPrefix(unquote(trimTab(line.slice(4))), 'a/');
    else if (line.startsWith('+++ ')) newPath ??= stripPrefix(unquote(trimTab(line.slice(4))), 'b/');
    else if (line.startsWith('Binary files ')) binary = true;
  }
  const fromHeader = headerPaths(header);
  const path =
    (newPath && newPath !== '/dev/null' ? newPath : undefined) ??
    (oldPath !== '/dev/null' ? oldPath : undefined) ??
    fromHeader?.newPath ??
    fromHeader?.oldPath ??
    '';
  const hunks = binary ? null : hunkStart === -1 ? [] : parseHunks(rest.slice(hunkStart).join('\n'));
  const counts = hunks ? countLines(hunks) : { added: 0, deleted: 0 };
  return {
    path: status === 'deleted' ? (oldPath && oldPath !== '/dev/null' ? oldPath : path) : path,
    old_path: status === 'renamed' || status === 'copied' ? (oldPath ?? fromHeader?.oldPath ?? null) : null,
    status,
    lines_added: counts.added,
    lines_deleted: counts.deleted,
    binary,
    hunks,
  };
}

function trimTab(s: string): string {
  // git appends a TAB to ---/+++ names containing a space, for GNU patch.
  return s.endsWith('\t') ? s.slice(0, -1) : s;
}

function stripPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** Paths from `diff --git a/X b/Y`, which is ambiguous with spaces unless X = Y or quoted. */
function headerPaths(header: string): { oldPath: string; newPath: string } | undefined {
  const rest = header.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const [a, after] = readQuoted(rest);
    const b = after.trimStart();
    const bPath = b.startsWith('"') ? readQuoted(b)[0] : b;
    return { oldPath: stripPrefix(a, 'a/'), newPath: stripPrefix(bPath, 'b/') };
  }
  // Unquoted and unrenamed: "a/P b/P", so P is exactly half of what remains.
  if ((rest.length - 5) % 2 === 0) {
    const half = (rest.length - 5) / 2;
    const a = rest.slice(2, 2 + half);
    const b = rest.slice(half + 5);
    if (rest.startsWith('a/') && rest.slice(2 + half, half + 5) === ' b/' && a === b) return { oldPath: a, newPath: b };
  }
  return undefined;
}

/** Git's C-style quoting (`"tab\t\"q\".txt"`, octal bytes for non-ASCII) back to text. */
export function unquote(s: string): string {
  return s.startsWith('"') ? readQuoted(s)[0] : s;
}

const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

function readQuoted(s: string): [string, string] {
  const bytes: number[] = [];
  let k = 1;
  for (; k < s.length; k++) {
    const ch = s[k] ?? '';
    if (ch === '"') break;
    if (ch === '\\') {
      const next = s[k + 1] ?? '';
      if (/[0-7]/.test(next)) {
        bytes.push(parseInt(s.slice(k + 1, k + 4), 8));
        k += 3;
      } else {
        bytes.push(escapes[next] ?? next.charCodeAt(0));
        k += 1;
      }
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return [Buffer.from(bytes).toString('utf8'), s.slice(k + 1)];
}
