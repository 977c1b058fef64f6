import { beforeAll, describe, expect, it } from 'vitest';
import { codeFileMetricsV1, codeMetricsV1, validateFeatureValues } from '@omen/features';
import { loadGrammar, loadLanguages } from '../../src/adapters/tree-sitter.ts';
import { createCodeAnalyzer, measureText } from '../../src/domain/code/analyzer.ts';
import type { LoadedLanguages } from '../../src/domain/code/analyzer.ts';
import { languageOf, languageRules } from '../../src/domain/code/languages.ts';
import type { LanguageId } from '../../src/domain/code/languages.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { complexityUnits, measureTree, publicCursor } from '../../src/domain/code/metrics.ts';

let languages: LoadedLanguages;
beforeAll(async () => {
  languages = await loadLanguages();
});

describe('language rules', () => {
  it('name only node types and tokens that exist in each grammar', async () => {
    const missing: string[] = [];
    for (const id of Object.keys(languageRules) as LanguageId[]) {
      const rules = languageRules[id];
      const grammar = await loadGrammar(id);
      for (const type of [...rules.functions, ...Object.keys(rules.decisions), ...rules.nesting, ...rules.comments]) {
        if (grammar.idForNodeType(type, true) === null) missing.push(`${id}: node ${type}`);
      }
      for (const token of rules.decisionTokens)
        if (grammar.idForNodeType(token, false) === null) missing.push(`${id}: token ${token}`);
    }
    expect(missing).toEqual([]);
  });

  it('maps extensions to languages, C to the C++ grammar', () => {
    expect(languageOf('src/a.ts')).toBe('typescript');
    expect(languageOf('src/A.TSX')).toBe('tsx');
    expect(languageOf('lib/x.c')).toBe('cpp');
    expect(languageOf('Makefile')).toBeUndefined();
    expect(languageOf('.eslintrc')).toBeUndefined();
    expect(languageOf('README.md')).toBeUndefined();
  });
});

// Each sample's expected values are counted by hand in the comments.
const samples: {
  path: string;
  text: string;
  units: number[];
  functions: number;
  nesting: number;
  sloc: number;
  comments: number;
}[] = [
  {
    path: 'a.js',
    text: [
      '// header',
      'function a(x) {',
      '  if (x > 0 && x < 10) {', // if, &&
      '    for (const i of [1]) {', // for-of
      '      while (x) { x--; }', // while
      '    }',
      '  } else if (x === 0) {', // else-if: a decision, same nesting level
      '    return x ?? 1;', // ??
      '  }',
      '  switch (x) { case 1: break; case 2: break; default: break; }', // 2 cases
      '  try { f(); } catch (e) { g(); }', // catch
      '  return x ? 1 : 2;', // ternary
      '}',
      '/* two',
      '   lines */',
      'const b = (y) => y || 0;', // ||
    ].join('\n'),
    units: [11, 2],
    functions: 2,
    nesting: 3,
    sloc: 13,
    comments: 3,
  },
  {
    path: 'g.ts',
    text: 'function g(x?: number): number {\n  return x ? 1 : 0;\n}\nconst o = a?.b;\n',
    units: [2],
    functions: 1,
    nesting: 0,
    sloc: 4,
    comments: 0,
  },
  {
    path: 'f.py',
    text: [
      '# comment',
      'def f(x):',
      '    if x and y:', // if, and
      '        for i in range(3):', // for
      '            pass',
      '    elif x:', // elif
      '        return [a for a in x if a]', // for_in_clause, if_clause
      '    try:',
      '        pass',
      '    except ValueError:', // except
      '        pass',
      '    return 1 if x else 2', // conditional
    ].join('\n'),
    units: [9],
    functions: 1,
    nesting: 2,
    sloc: 11,
    comments: 1,
  },
  {
    path: 'A.java',
    text: [
      'class A {',
      '  int f(int x) {',
      '    if (x > 0 || x < -5) { for (int i = 0; i < x; i++) { x--; } }', // if, ||, for
      '    switch (x) { case 1: return 1; case 2: return 2; default: return 0; }', // 2 cases
      '  }',
      '}',
    ].join('\n'),
    units: [6],
    functions: 1,
    nesting: 2,
    sloc: 6,
    comments: 0,
  },
  {
    path: 'main.go',
    text: [
      'package main',
      '',
      'func f(x int) int {',
      '\tif x > 0 && x < 3 {', // if, &&
      '\t\tfor i := 0; i < x; i++ {', // for
      '\t\t}',
      '\t}',
      '\tswitch x {',
      '\tcase 1:', // case
      '\t\treturn 1',
      '\tcase 2:', // case
      '\t\treturn 2',
      '\tdefault:',
      '\t\treturn 0',
      '\t}',
      '}',
    ].join('\n'),
    units: [6],
    functions: 1,
    nesting: 2,
    sloc: 15,
    comments: 0,
  },
  {
    path: 'f.c',
    text: 'int f(int x) {\n  if (x > 0 || x < -1) { while (x) { x--; } }\n  return x ? 1 : 0; // why\n}\n',
    units: [5],
    functions: 1,
    nesting: 2,
    sloc: 4,
    comments: 0,
  },
  {
    path: 'f.rs',
    text: 'fn f(x: i32) -> i32 {\n    if x > 0 && x < 3 { for _ in 0..x {} }\n    match x { 1 => 1, 2 => 2, _ => 0 }\n}\n',
    units: [6],
    functions: 1,
    nesting: 2,
    sloc: 4,
    comments: 0,
  },
  {
    path: 'A.cs',
    text: 'class A {\n  int F(int? x) {\n    if (x > 0 || x < -1) { foreach (var i in xs) { } }\n    return x ?? 0;\n  }\n}\n',
    units: [5],
    functions: 1,
    nesting: 2,
    sloc: 6,
    comments: 0,
  },
];

describe('measureText', () => {
  for (const s of samples) {
    it(`counts complexity, functions, nesting, SLOC and comments of ${s.path}`, () => {
      const m = measureText(languages, s.path, s.text);
      expect(m).toBeDefined();
      expect(complexityUnits(m!)).toEqual(s.units);
      expect(m!.functions).toBe(s.functions);
      expect(m!.maxNesting).toBe(s.nesting);
      expect(m!.sloc).toBe(s.sloc);
      expect(m!.commentLines).toBe(s.comments);
    });
  }

  it('keeps a branching top level as a unit and counts nested functions apart', () => {
    const m = measureText(
      languages,
      'x.js',
      'if (a) { b(); }\nfunction outer() { const inner = () => (c ? 1 : 2); return d && e; }\n',
    )!;
    expect(m.complexities).toEqual([2, 2, 2]);
    expect(complexityUnits(m)).toEqual([2, 2, 2]);
  });

  it('skips unsupported languages', () => {
    expect(measureText(languages, 'README.md', '# hi')).toBeUndefined();
  });
});

describe('createCodeAnalyzer', () => {
  it('aggregates a change: values valid for the registry, deltas against the old text, findings with rule ids', () => {
    const analyze = createCodeAnalyzer(languages);
    const before = 'function a(x) {\n  return x;\n}\n';
    const after = 'function a(x) {\n  if (x) { return eval(x); }\n  return x;\n}\nfunction b() {}\n';
    const result = analyze([
      {
        path: 'src/a.js',
        before,
        after,
        added: [
          { number: 2, content: '  if (x) { return eval(x); }' },
          { number: 5, content: 'function b() {}' },
        ],
      },
      {
        path: 'config.yml',
        before: null,
        after: null,
        added: [{ number: 1, content: 'api_key: "sk_live_51HxYzQ2eZvKYlo2C"' }],
      },
    ])!;
    expect(validateFeatureValues(codeMetricsV1, result.values)).toEqual([]);
    expect(result.values).toMatchObject({
      files_parsed: 1,
      functions: 2,
      functions_delta: 1,
      complexity_max: 2,
      complexity_mean: 1.5,
      complexity_delta: 2,
      sloc_delta: 2,
      security_hits: 2,
      sec_eval_exec: 1,
      sec_hardcoded_secret: 1,
      sec_sql_concat: 0,
    });
    expect(result.findings).toEqual([
      { path: 'src/a.js', line: 2, rule: 'eval_exec' },
      { path: 'config.yml', line: 1, rule: 'hardcoded_secret' },
    ]);
    expect(result.files).toHaveLength(1);
    expect(validateFeatureValues(codeFileMetricsV1, result.files[0]!.values)).toEqual([]);
    expect(result.files[0]!.values).toMatchObject({ complexity_sum: 4, complexity_delta: 2, security_hits: 1 });
  });

  it('leaves out parse-based features when no text is known, and returns null for nothing to analyse', () => {
    const analyze = createCodeAnalyzer(languages);
    const r = analyze([
      {
        path: 'a.py',
        before: null,
        after: null,
        added: [{ number: 1, content: 'import hashlib; h = hashlib.md5(b)' }],
      },
    ])!;
    expect(r.values).toMatchObject({ files_parsed: 0, sec_weak_hash: 1 });
    expect(r.values['complexity_max']).toBeUndefined();
    expect(validateFeatureValues(codeMetricsV1, r.values, { allowMissing: true })).toEqual([]);
    expect(analyze([{ path: 'a.py', before: null, after: null, added: [] }])).toBeNull();
  });
});

describe('the direct WebAssembly walk (src/adapters/tree-sitter-cursor.ts)', () => {
  it('is the one the loaded languages use, and equals the public TreeCursor walk on real files of every language', () => {
    const root = new URL('../../../../', import.meta.url).pathname;
    // This repository's own sources and the grammars' package sources: TypeScript, JavaScript,
    // plus one hand-written sample per other language with a multi-line string and comments.
    const files: { path: string; text: string }[] = [];
    for (const dir of ['services/featurizer/src/domain', 'services/featurizer/src/domain/code', 'packages/kafka/src']) {
      for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith('.ts')))
        files.push({ path: name, text: readFileSync(join(root, dir, name), 'utf8') });
    }
    files.push({
      path: 'a.js',
      text: 'const s = `a\n\n  b`; // c\nfunction f(x) { if (x && y) { return 1 } else if (z) { return 2 } }\n/* two\nlines */\n',
    });
    files.push({ path: 'a.py', text: 'def f(x):\n    """doc\n\n    more"""\n    # c\n    return 1 if x else 2\n' });
    files.push({
      path: 'a.go',
      text: 'package a\n// c\nfunc f(x int) int {\n\tif x > 0 && x < 9 {\n\t\treturn `a\n\nb`\n\t}\n\treturn 0\n}\n',
    });
    files.push({
      path: 'a.rs',
      text: 'fn f(x: i32) -> i32 {\n    // c\n    match x { 1 => 2, _ => 3 }\n}\nconst S: &str = "a\n\nb";\n',
    });
    files.push({
      path: 'A.java',
      text: 'class A {\n  /* c */\n  int f(int x) { for (;;) { if (x > 1) return 1; } }\n  String s = """\n  a\n\n  """;\n}\n',
    });
    files.push({
      path: 'a.cs',
      text: 'class A {\n  // c\n  int F(int x) { while (x > 0) { x--; } return x ?? 0; }\n  string s = @"a\n\nb";\n}\n',
    });
    files.push({
      path: 'a.cpp',
      text: '// c\nint f(int x) {\n  switch (x) { case 1: return 2; default: return R"(a\n\nb)"[0]; }\n}\n',
    });
    let compared = 0;
    for (const f of files) {
      const lang = languages.get(languageOf(f.path)!)!;
      const open = lang.open;
      expect(typeof open).toBe('function');
      expect(open === publicCursor).toBe(false);
      const tree = lang.parser.parse(f.text)!;
      try {
        expect(measureTree(tree, lang.table, f.text, open), f.path).toEqual(
          measureTree(tree, lang.table, f.text, publicCursor),
        );
        compared++;
      } finally {
        tree.delete();
      }
    }
    expect(compared).toBeGreaterThan(30);
  });
});
