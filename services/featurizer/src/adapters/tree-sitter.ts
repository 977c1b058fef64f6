// Loads the tree-sitter grammars the code metrics use: web-tree-sitter's runtime with the
// prebuilt grammars VS Code ships in @vscode/tree-sitter-wasm (no native build, runs on Node 20).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import type { LoadedLanguage, LoadedLanguages } from '../domain/code/analyzer.ts';
import { languageRules } from '../domain/code/languages.ts';
import type { LanguageId } from '../domain/code/languages.ts';
import { buildKindTable, publicCursor } from '../domain/code/metrics.ts';
import type { OpenCursor } from '../domain/code/metrics.ts';
import { wasmCursor } from './tree-sitter-cursor.ts';

const require = createRequire(import.meta.url);

/** Directory holding the grammar .wasm files. */
export function grammarDir(): string {
  return dirname(require.resolve('@vscode/tree-sitter-wasm'));
}

let runtime: Promise<void> | undefined;
// The Emscripten module object web-tree-sitter instantiates: Parser.init's options object is
// the module itself, so after init it carries the WebAssembly exports (see tree-sitter-cursor.ts).
const wasmModule: Record<string, unknown> = {};
let open: OpenCursor | undefined;

/** Loads the grammars of `ids` (all supported languages by default); one parser per language. */
export async function loadLanguages(
  ids: readonly LanguageId[] = Object.keys(languageRules) as LanguageId[],
): Promise<LoadedLanguages> {
  runtime ??= Parser.init(wasmModule);
  await runtime;
  open ??= wasmCursor(wasmModule) ?? publicCursor;
  const dir = grammarDir();
  const out = new Map<LanguageId, LoadedLanguage>();
  for (const id of ids) {
    const rules = languageRules[id];
    const language = await Language.load(join(dir, rules.grammar));
    const parser = new Parser();
    parser.setLanguage(language);
    out.set(id, { parser, table: buildKindTable(language, rules), open });
  }
  return out;
}

/** The Language objects themselves, for checks against the grammars' node types. */
export async function loadGrammar(id: LanguageId): Promise<Language> {
  runtime ??= Parser.init(wasmModule);
  await runtime;
  return Language.load(join(grammarDir(), languageRules[id].grammar));
}
