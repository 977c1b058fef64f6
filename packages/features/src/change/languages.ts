// What each supported language's tree-sitter grammar calls the things code metrics count.
// Node type names are checked against the grammars by a unit test, so a grammar upgrade that
// renames a node fails there instead of silently counting nothing.

export type LanguageId = 'typescript' | 'tsx' | 'javascript' | 'python' | 'java' | 'go' | 'cpp' | 'rust' | 'csharp';

export interface LanguageRules {
  id: LanguageId;
  /** Grammar file in @vscode/tree-sitter-wasm's wasm/ directory. */
  grammar: string;
  /** Named nodes that start a function (a unit of cyclomatic complexity). */
  functions: readonly string[];
  /**
   * Named nodes that add decision points, with their weight (a Rust match adds one per arm
   * but one fewer than its arms, like a switch without default).
   */
  decisions: Readonly<Record<string, number>>;
  /** Anonymous tokens that add a decision point: case labels and short-circuit operators. */
  decisionTokens: readonly string[];
  /** Named nodes that open a control-flow block for nesting depth. */
  nesting: readonly string[];
  /** Named nodes holding comments. */
  comments: readonly string[];
}

const CLIKE_TOKENS = ['case', '&&', '||'];

const javascriptLike = (id: LanguageId, grammar: string): LanguageRules => ({
  id,
  grammar,
  functions: [
    'function_declaration',
    'function_expression',
    'arrow_function',
    'method_definition',
    'generator_function_declaration',
    'generator_function',
  ],
  decisions: {
    if_statement: 1,
    for_statement: 1,
    for_in_statement: 1,
    while_statement: 1,
    do_statement: 1,
    catch_clause: 1,
    ternary_expression: 1,
  },
  decisionTokens: [...CLIKE_TOKENS, '??'],
  nesting: [
    'if_statement',
    'for_statement',
    'for_in_statement',
    'while_statement',
    'do_statement',
    'switch_statement',
    'try_statement',
  ],
  comments: ['comment'],
});

export const languageRules: Readonly<Record<LanguageId, LanguageRules>> = {
  typescript: javascriptLike('typescript', 'tree-sitter-typescript.wasm'),
  tsx: javascriptLike('tsx', 'tree-sitter-tsx.wasm'),
  javascript: javascriptLike('javascript', 'tree-sitter-javascript.wasm'),
  python: {
    id: 'python',
    grammar: 'tree-sitter-python.wasm',
    functions: ['function_definition', 'lambda'],
    decisions: {
      if_statement: 1,
      elif_clause: 1,
      for_statement: 1,
      while_statement: 1,
      except_clause: 1,
      conditional_expression: 1,
      for_in_clause: 1,
      if_clause: 1,
      case_clause: 1,
    },
    decisionTokens: ['and', 'or'],
    nesting: ['if_statement', 'for_statement', 'while_statement', 'try_statement', 'match_statement'],
    comments: ['comment'],
  },
  java: {
    id: 'java',
    grammar: 'tree-sitter-java.wasm',
    functions: ['method_declaration', 'constructor_declaration', 'lambda_expression'],
    decisions: {
      if_statement: 1,
      for_statement: 1,
      enhanced_for_statement: 1,
      while_statement: 1,
      do_statement: 1,
      catch_clause: 1,
      ternary_expression: 1,
    },
    decisionTokens: CLIKE_TOKENS,
    nesting: [
      'if_statement',
      'for_statement',
      'enhanced_for_statement',
      'while_statement',
      'do_statement',
      'switch_expression',
      'try_statement',
      'try_with_resources_statement',
    ],
    comments: ['line_comment', 'block_comment'],
  },
  go: {
    id: 'go',
    grammar: 'tree-sitter-go.wasm',
    functions: ['function_declaration', 'method_declaration', 'func_literal'],
    decisions: { if_statement: 1, for_statement: 1 },
    decisionTokens: CLIKE_TOKENS,
    nesting: [
      'if_statement',
      'for_statement',
      'expression_switch_statement',
      'type_switch_statement',
      'select_statement',
    ],
    comments: ['comment'],
  },
  // C has no grammar of its own in @vscode/tree-sitter-wasm; the C++ grammar parses C.
  cpp: {
    id: 'cpp',
    grammar: 'tree-sitter-cpp.wasm',
    functions: ['function_definition', 'lambda_expression'],
    decisions: {
      if_statement: 1,
      for_statement: 1,
      for_range_loop: 1,
      while_statement: 1,
      do_statement: 1,
      catch_clause: 1,
      conditional_expression: 1,
    },
    decisionTokens: [...CLIKE_TOKENS, 'and', 'or'],
    nesting: [
      'if_statement',
      'for_statement',
      'for_range_loop',
      'while_statement',
      'do_statement',
      'switch_statement',
      'try_statement',
    ],
    comments: ['comment'],
  },
  rust: {
    id: 'rust',
    grammar: 'tree-sitter-rust.wasm',
    functions: ['function_item', 'closure_expression'],
    decisions: { if_expression: 1, for_expression: 1, while_expression: 1, match_arm: 1, match_expression: -1 },
    decisionTokens: ['&&', '||'],
    nesting: ['if_expression', 'for_expression', 'while_expression', 'loop_expression', 'match_expression'],
    comments: ['line_comment', 'block_comment'],
  },
  csharp: {
    id: 'csharp',
    grammar: 'tree-sitter-c-sharp.wasm',
    functions: [
      'method_declaration',
      'constructor_declaration',
      'local_function_statement',
      'lambda_expression',
      'anonymous_method_expression',
    ],
    decisions: {
      if_statement: 1,
      for_statement: 1,
      foreach_statement: 1,
      while_statement: 1,
      do_statement: 1,
      catch_clause: 1,
      conditional_expression: 1,
      switch_expression_arm: 1,
    },
    decisionTokens: [...CLIKE_TOKENS, '??'],
    nesting: [
      'if_statement',
      'for_statement',
      'foreach_statement',
      'while_statement',
      'do_statement',
      'switch_statement',
      'try_statement',
    ],
    comments: ['comment'],
  },
};

const byExtension: Readonly<Record<string, LanguageId>> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  pyi: 'python',
  java: 'java',
  go: 'go',
  c: 'cpp',
  h: 'cpp',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hh: 'cpp',
  hpp: 'cpp',
  hxx: 'cpp',
  rs: 'rust',
  cs: 'csharp',
};

/** The language of a path by its extension; undefined when not supported. */
export function languageOf(path: string): LanguageId | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return byExtension[base.slice(dot + 1).toLowerCase()];
}
