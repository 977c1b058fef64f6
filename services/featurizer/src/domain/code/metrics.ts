// Static metrics of one source file from its tree-sitter tree, in one cursor walk.
//
// - Cyclomatic complexity (McCabe) per unit: 1 + decision points (branches, loops, catch,
//   conditional expressions, case labels, short-circuit operators). A unit is a function;
//   code outside any function is one more unit, so a script without functions still counts.
//   Decisions inside a nested function belong to that function only.
// - Nesting: depth of control-flow blocks, counted per function (a function body starts at 0);
//   `else if` stays at the level of its `if`.
// - SLOC: lines holding at least one non-comment token; comment lines: lines holding comment
//   and no code.

import type { Language, Tree } from 'web-tree-sitter';
import type { LanguageRules } from './languages.ts';

const FUNCTION = 1;
const NESTING = 2;
const COMMENT = 4;
const IF_LIKE = 8;
const ELSE = 16;

/** Per node-type id lookups for one grammar, built once (ids are faster than type names). */
export interface KindTable {
  flags: Uint8Array;
  weight: Int8Array;
}

export function buildKindTable(language: Language, rules: LanguageRules): KindTable {
  const n = language.nodeTypeCount;
  const flags = new Uint8Array(n);
  const weight = new Int8Array(n);
  const functions = new Set(rules.functions);
  const nesting = new Set(rules.nesting);
  const comments = new Set(rules.comments);
  const tokens = new Set(rules.decisionTokens);
  for (let id = 0; id < n; id++) {
    const type = language.nodeTypeForId(id);
    if (type === null) continue;
    if (language.nodeTypeIsNamed(id)) {
      if (functions.has(type)) flags[id]! |= FUNCTION;
      if (nesting.has(type)) flags[id]! |= NESTING;
      if (comments.has(type)) flags[id]! |= COMMENT;
      if (type === 'if_statement' || type === 'if_expression') flags[id]! |= IF_LIKE;
      if (type === 'else_clause') flags[id]! |= ELSE;
      weight[id] = rules.decisions[type] ?? 0;
    } else if (tokens.has(type)) {
      weight[id] = 1;
    }
  }
  return { flags, weight };
}

export interface FileCodeMetrics {
  functions: number;
  /** Complexity of each unit; index 0 is the code outside functions. */
  complexities: number[];
  maxNesting: number;
  sloc: number;
  commentLines: number;
}

function lineCount(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/**
 * The cursor operations the walk needs. Positions are UTF-16 indexes (what web-tree-sitter
 * reports for a parsed JavaScript string); rows are derived from them in JavaScript, which costs
 * two calls into WebAssembly per leaf instead of four.
 */
export interface WalkCursor {
  typeId(): number;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  startIndex(): number;
  endIndex(): number;
  /** Frees the cursor. */
  close(): void;
}

/** Opens a cursor at the root of `tree`. */
export type OpenCursor = (tree: Tree) => WalkCursor;

/** The cursor over web-tree-sitter's public TreeCursor (each call re-marshals its state). */
export const publicCursor: OpenCursor = (tree) => {
  const c = tree.walk();
  return {
    typeId: () => c.nodeTypeId,
    gotoFirstChild: () => c.gotoFirstChild(),
    gotoNextSibling: () => c.gotoNextSibling(),
    gotoParent: () => c.gotoParent(),
    startIndex: () => c.startIndex,
    endIndex: () => c.endIndex,
    close: () => c.delete(),
  };
};

/** Index of the first character of each line, plus a sentinel past the end. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  starts.push(Number.MAX_SAFE_INTEGER);
  return starts;
}

export function measureTree(
  tree: Tree,
  table: KindTable,
  text: string,
  open: OpenCursor = publicCursor,
): FileCodeMetrics {
  const rows = new Uint8Array(lineCount(text) + 1);
  const starts = lineStarts(text);
  // Row of an index (tree-sitter counts rows by '\n' only, as lineStarts does). The walk visits
  // nodes in document order, so the row moves forward by a step or two per call.
  let row = 0;
  const rowOf = (index: number): number => {
    while (index < starts[row]!) row -= 1;
    while (index >= starts[row + 1]!) row += 1;
    return row;
  };
  const mark = (from: number, to: number, bit: number): void => {
    const first = rowOf(from);
    const last = rowOf(to);
    row = first;
    for (let r = first; r <= last; r++) rows[r]! |= bit;
  };
  const complexities = [1];
  let functions = 0;
  let maxNesting = 0;
  // Per cursor depth: the unit a node belongs to, its nesting level, and its flags.
  const unitAt: number[] = [0];
  const nestAt: number[] = [0];
  const flagsAt: number[] = [0];
  const cursor = open(tree);
  let depth = 0;
  const enter = (): boolean => {
    const id = cursor.typeId();
    const f = table.flags[id] ?? 0;
    let unit = depth > 0 ? unitAt[depth - 1]! : 0;
    let nest = depth > 0 ? nestAt[depth - 1]! : 0;
    if (f & FUNCTION) {
      unit = complexities.push(1) - 1;
      functions += 1;
      nest = 0;
    }
    const w = table.weight[id] ?? 0;
    if (w !== 0) complexities[unit]! += w;
    if (f & NESTING) {
      const parent = depth > 0 ? flagsAt[depth - 1]! : 0;
      const elseIf = (f & IF_LIKE) !== 0 && (parent & (IF_LIKE | ELSE)) !== 0;
      if (!elseIf) nest += 1;
      if (nest > maxNesting) maxNesting = nest;
    }
    unitAt[depth] = unit;
    nestAt[depth] = nest;
    flagsAt[depth] = f;
    if (f & COMMENT) {
      mark(cursor.startIndex(), cursor.endIndex(), 2);
      return false;
    }
    return true;
  };
  const markLeaf = (): void => {
    const start = cursor.startIndex();
    const end = cursor.endIndex();
    if (start !== end) mark(start, end, 1);
  };
  try {
    let descend = enter();
    for (;;) {
      if (descend && cursor.gotoFirstChild()) {
        depth += 1;
        descend = enter();
        continue;
      }
      if (descend) markLeaf();
      while (!cursor.gotoNextSibling()) {
        if (depth === 0 || !cursor.gotoParent()) {
          depth = -1;
          break;
        }
        depth -= 1;
      }
      if (depth < 0) break;
      descend = enter();
    }
  } finally {
    cursor.close();
  }
  let sloc = 0;
  let commentLines = 0;
  for (const r of rows) {
    if (r & 1) sloc += 1;
    else if (r & 2) commentLines += 1;
  }
  return { functions, complexities, maxNesting, sloc, commentLines };
}

/**
 * The units that count for max and mean: the functions, plus the top level when it has
 * decisions or the file has no functions. Dropping a trivial top level keeps a module of
 * declarations from pulling the mean towards 1; keeping a branching one keeps scripts visible.
 */
export function complexityUnits(m: FileCodeMetrics): number[] {
  const [top, ...fns] = m.complexities;
  return fns.length > 0 && top === 1 ? fns : m.complexities;
}
