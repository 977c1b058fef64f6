// A unified diff (`git diff`, `git show`, `git format-patch`, `diff -u`) as the changed files
// the change metrics read: paths, renames, line counts, and the added lines with their numbers
// in the new file (what the security scan and duplicate finding look at). Written here rather
// than taken from npm: the parsers there (parse-diff, gitdiff-parser) read hunks by their line
// prefix and so count a deleted line that reads "-- x" as the next file's "--- " header, and
// none bounds its output; this one follows each hunk header's line counts, which is what makes
// `---`/`+++` inside a hunk ordinary lines, and refuses input past its limits with the reason.
import { InvalidArgumentError } from '@omen/errors';

export interface DiffLine {
  /** 1-based line number in the new file. */
  number: number;
  content: string;
}

export type DiffFileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied';

export interface DiffFile {
  /** Path after the change (before it, for a deleted file). */
  path: string;
  /** Path before a rename or copy; null otherwise. */
  oldPath: string | null;
  status: DiffFileStatus;
  binary: boolean;
  linesAdded: number;
  linesDeleted: number;
  /** Added lines, hunk by hunk (a hunk's lines are adjacent in the new file). */
  addedHunks: DiffLine[][];
}

export interface ParsedDiff {
  files: DiffFile[];
  /** The commit message when the text carries one (`git show`, `git format-patch`); else ''. */
  message: string;
}

export interface DiffLimits {
  /** @default 5000 */
  maxFiles?: number;
  /** Lines of diff text. @default 200000 */
  maxLines?: number;
}

const HUNK = /^@@ -(\d{1,9})(?:,(\d{1,9}))? \+(\d{1,9})(?:,(\d{1,9}))? @@/;

/** git's C-style quoting of unusual paths: "a/x\tb" → a/x<TAB>b (octal escapes are UTF-8 bytes). */
function unquote(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return raw;
  const bytes: number[] = [];
  const body = raw.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8) & 0xff);
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A header path without its a/ or b/ prefix and any trailing tab-separated timestamp (diff -u); null for /dev/null. */
function headerPath(raw: string): string | null {
  const text = unquote(raw.replace(/\t.*$/, '').trimEnd());
  if (text === '/dev/null') return null;
  return text.replace(/^[ab]\//, '');
}

/** Paths of `diff --git a/X b/Y`, when the line can be split unambiguously (X and Y quoted, or equal). */
function gitHeaderPaths(rest: string): { from: string; to: string } | undefined {
  const quoted = /^("(?:[^"\\]|\\.)*")\s+("(?:[^"\\]|\\.)*")$/.exec(rest);
  if (quoted) return { from: headerPath(quoted[1]!) ?? '', to: headerPath(quoted[2]!) ?? '' };
  // Unquoted: "a/P b/P" — the two halves are equal except for a rename, whose real names
  // come from the rename lines or the ---/+++ headers anyway.
  const half = (rest.length - 1) / 2;
  if (
    Number.isInteger(half) &&
    rest.startsWith('a/') &&
    rest.slice(half + 1).startsWith('b/') &&
    rest.slice(2, half) === rest.slice(half + 3)
  ) {
    const p = rest.slice(2, half);
    return { from: p, to: p };
  }
  const m = /^a\/(.+?) b\/(.+)$/.exec(rest);
  return m ? { from: m[1]!, to: m[2]! } : undefined;
}

function bad(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`diff: ${message}`, 'diff');
}

function validPath(p: string, line: number): string {
  if (p === '' || p.startsWith('/') || p.split('/').includes('..') || p.includes('\0'))
    throw bad(`line ${line}: "${p.slice(0, 80)}" is not a relative path inside the repository`);
  return p;
}

/**
 * Parses a unified diff. Throws InvalidArgumentError (field `diff`, the line named) for text
 * that is not one: a hunk outside a file, a hunk header whose counts the lines do not match, no
 * file at all, or more files or lines than `limits` allow.
 */
export function parseUnifiedDiff(text: string, limits: DiffLimits = {}): ParsedDiff {
  const maxFiles = limits.maxFiles ?? 5000;
  const maxLines = limits.maxLines ?? 200_000;
  const lines = text.split('\n');
  if (lines.length > maxLines) throw bad(`${lines.length} lines, more than the ${maxLines} allowed`);
  const files: DiffFile[] = [];
  const preamble: string[] = [];
  let file: (DiffFile & { fromHeader: string | null; toHeader: string | null; git: boolean }) | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  let hunk: DiffLine[] | undefined;

  /** Ends a run of added lines: lines of two runs are not adjacent in the new file. */
  const flush = (): void => {
    if (hunk && file) file.addedHunks.push(hunk);
    hunk = undefined;
  };
  const finish = (): void => {
    if (!file) return;
    if (oldLeft > 0 || newLeft > 0)
      throw bad(
        `the last hunk of "${file.path}" ends ${oldLeft} old and ${newLeft} new lines short of its header's counts`,
      );
    const { fromHeader, toHeader, git: _git, ...done } = file;
    if (done.status !== 'renamed' && done.status !== 'copied') {
      if (fromHeader === null && toHeader !== null && !done.binary) done.status = 'added';
      if (toHeader === null && fromHeader !== null && !done.binary) done.status = 'deleted';
    }
    if (done.path === '') throw bad('a file without a path');
    files.push(done);
    file = undefined;
  };
  const open = (path: string, git: boolean): void => {
    finish();
    if (files.length >= maxFiles) throw bad(`more than ${maxFiles} files`);
    file = {
      path,
      oldPath: null,
      status: 'modified',
      binary: false,
      linesAdded: 0,
      linesDeleted: 0,
      addedHunks: [],
      fromHeader: '',
      toHeader: '',
      git,
    };
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const at = i + 1;
    if (file && (oldLeft > 0 || newLeft > 0)) {
      // Inside a hunk: its header's counts, not the prefixes, say where it ends.
      const tag = line[0];
      if (tag === '\\') continue; // "\ No newline at end of file"
      if (tag === '+' && newLeft > 0) {
        hunk ??= [];
        hunk.push({ number: newLine++, content: line.slice(1) });
        newLeft--;
        file.linesAdded++;
        continue;
      }
      if (tag === '-' && oldLeft > 0) {
        flush();
        oldLeft--;
        file.linesDeleted++;
        continue;
      }
      // A context line (some tools strip the space of an empty one).
      if ((tag === ' ' || line === '') && oldLeft > 0 && newLeft > 0) {
        flush();
        oldLeft--;
        newLeft--;
        newLine++;
        continue;
      }
      throw bad(
        `line ${at}: the hunk of "${file.path}" expects ${oldLeft} more old and ${newLeft} more new lines, got ${JSON.stringify(line.slice(0, 40))}`,
      );
    }
    flush();
    if (line.startsWith('diff --git ')) {
      const paths = gitHeaderPaths(line.slice('diff --git '.length));
      if (!paths) throw bad(`line ${at}: cannot read the paths of ${JSON.stringify(line.slice(0, 80))}`);
      open(validPath(paths.to, at), true);
      continue;
    }
    if (
      line.startsWith('--- ') &&
      (!file || file.addedHunks.length > 0 || file.linesDeleted > 0 || !file.git) &&
      lines[i + 1]?.startsWith('+++ ')
    ) {
      // A plain `diff -u` file (no git header), or the next file of a concatenated patch.
      const from = headerPath(line.slice(4));
      const to = headerPath(lines[i + 1]!.replace(/\r$/, '').slice(4));
      open(validPath(to ?? from ?? '', at), false);
      file!.fromHeader = from;
      file!.toHeader = to;
      i++;
      continue;
    }
    if (!file) {
      preamble.push(line);
      continue;
    }
    if (line.startsWith('--- ')) file.fromHeader = headerPath(line.slice(4));
    else if (line.startsWith('+++ ')) {
      file.toHeader = headerPath(line.slice(4));
      if (file.toHeader !== null) file.path = validPath(file.toHeader, at);
      else if (file.fromHeader !== null) file.path = validPath(file.fromHeader, at);
    } else if (line.startsWith('new file mode')) file.status = 'added';
    else if (line.startsWith('deleted file mode')) file.status = 'deleted';
    else if (line.startsWith('rename from ') || line.startsWith('copy from ')) {
      file.oldPath = validPath(unquote(line.slice(line.indexOf(' from ') + 6)), at);
      file.status = line.startsWith('rename') ? 'renamed' : 'copied';
    } else if (line.startsWith('rename to ') || line.startsWith('copy to '))
      file.path = validPath(unquote(line.slice(line.indexOf(' to ') + 4)), at);
    else if (line.startsWith('Binary files ') || line === 'GIT binary patch') file.binary = true;
    else if (line.startsWith('@@')) {
      const m = HUNK.exec(line);
      if (!m) throw bad(`line ${at}: bad hunk header ${JSON.stringify(line.slice(0, 80))}`);
      oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      newLeft = m[4] === undefined ? 1 : Number(m[4]);
      newLine = Number(m[3]);
      // "+k,0": nothing added; the number is never used then.
    } else if (file.binary && /^(?:literal|delta) \d+$/.test(line)) {
      // A binary patch's payload follows until a blank line.
      while (i + 1 < lines.length && lines[i + 1] !== '') i++;
    }
  }
  flush();
  finish();
  if (files.length === 0)
    throw bad('no changed file found (expected `diff --git` or `---`/`+++` headers and @@ hunks)');
  return { files, message: messageOf(preamble) };
}

/** The message of `git show` (lines indented by 4 after the header) or `git format-patch` (Subject and body). */
function messageOf(preamble: readonly string[]): string {
  const shown = preamble.filter((l) => l.startsWith('    ')).map((l) => l.slice(4));
  if (shown.length > 0) return shown.join('\n').trim();
  const subject = preamble.findIndex((l) => l.startsWith('Subject: '));
  if (subject < 0) return '';
  const body = preamble.slice(subject + 1);
  const end = body.findIndex((l) => l === '---');
  return [
    preamble[subject]!.slice('Subject: '.length).replace(/^\[PATCH[^\]]*\]\s*/, ''),
    ...(end < 0 ? body : body.slice(0, end)),
  ]
    .join('\n')
    .trim();
}
