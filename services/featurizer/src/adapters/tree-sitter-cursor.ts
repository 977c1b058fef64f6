// A tree cursor that calls web-tree-sitter's WebAssembly exports directly.
//
// Why own code: the metrics walk visits every node of every parsed file, and web-tree-sitter's
// public TreeCursor copies the cursor's 4-word state into the module's transfer buffer before
// every call (and back after each move), and reads positions through an extra point copy. That
// marshalling, not the walk, was most of the time of parse + metrics (about half of it was the
// walk, on express). The WebAssembly side keeps the cursor in the transfer buffer between calls:
// each move reads it from there and writes it back, and the reads used here (node type id,
// start and end index) return their value without writing the buffer. So one cursor, written
// to the buffer once, can be walked with plain calls as long as nothing else uses the buffer in
// between: the walk is synchronous and makes no other web-tree-sitter call until it closes.
//
// This leans on web-tree-sitter's binding (0.27, pinned in pnpm-lock.yaml): the exports below
// and the transfer buffer's layout. wasmCursor returns undefined when an export is missing, and
// the featurizer then walks with the public TreeCursor; test/unit/code-metrics.test.ts checks
// that both walks give identical metrics on every language's samples.
import type { Tree } from 'web-tree-sitter';
import type { OpenCursor, WalkCursor } from '../domain/code/metrics.ts';

type Export = (tree: number) => number;

interface Binding {
  _ts_init(): number;
  _ts_tree_cursor_current_node_type_id_wasm: Export;
  _ts_tree_cursor_goto_first_child_wasm: Export;
  _ts_tree_cursor_goto_next_sibling_wasm: Export;
  _ts_tree_cursor_goto_parent_wasm: Export;
  _ts_tree_cursor_start_index_wasm: Export;
  _ts_tree_cursor_end_index_wasm: Export;
  setValue(address: number, value: number, type: 'i32'): void;
  getValue(address: number, type: 'i32'): number;
}

const REQUIRED = [
  '_ts_init',
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  'setValue',
  'getValue',
] as const;

/** Internal handles of web-tree-sitter's Tree and TreeCursor (array-like, index 0 = address). */
type Handle = Record<number, number>;

/** The direct cursor over the initialised module `module`, or undefined when it lacks an export. */
export function wasmCursor(module: Record<string, unknown>): OpenCursor | undefined {
  if (!REQUIRED.every((name) => typeof module[name] === 'function')) return undefined;
  const m = module as unknown as Binding;
  const buffer = m._ts_init(); // only returns the transfer buffer's address (idempotent)
  return (tree: Tree): WalkCursor => {
    const cursor = tree.walk();
    const state = cursor as unknown as Handle;
    const address = (tree as unknown as Handle)[0];
    if (typeof address !== 'number' || typeof state[3] !== 'number') {
      cursor.delete();
      throw new Error('web-tree-sitter internals changed: tree or cursor handle is not an address');
    }
    for (let i = 0; i < 4; i++) m.setValue(buffer + 4 * i, state[i]!, 'i32');
    const typeId = m._ts_tree_cursor_current_node_type_id_wasm;
    const first = m._ts_tree_cursor_goto_first_child_wasm;
    const next = m._ts_tree_cursor_goto_next_sibling_wasm;
    const parent = m._ts_tree_cursor_goto_parent_wasm;
    const start = m._ts_tree_cursor_start_index_wasm;
    const end = m._ts_tree_cursor_end_index_wasm;
    return {
      typeId: () => typeId(address),
      gotoFirstChild: () => first(address) === 1,
      gotoNextSibling: () => next(address) === 1,
      gotoParent: () => parent(address) === 1,
      startIndex: () => start(address),
      endIndex: () => end(address),
      // The moves may have reallocated the cursor's stack (its first word): copy the state
      // back from the buffer so delete() frees the live allocation.
      close: () => {
        for (let i = 0; i < 4; i++) state[i] = m.getValue(buffer + 4 * i, 'i32');
        cursor.delete();
      },
    };
  };
}
