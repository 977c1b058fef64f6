// Which changed lines are code a reviewer reads: the featurizer's SZZ blames only those, and the
// security scan and duplicate finding look only at those.

const COMMENT_ONLY = /^\s*(?:\/\/|#(?!include|define|if|endif|else|pragma|import)|\/\*|\*|\*\/|--(?:\s|$)|<!--|;)/;

/**
 * Whether SZZ should blame a deleted line. Blank lines and comment-only lines are cosmetic:
 * removing them cannot fix a bug, and blaming them would implicate whoever wrote the comment
 * (the standard refinement of SZZ, e.g. Kim et al. 2006).
 */
export function isBlameworthy(content: string): boolean {
  const trimmed = content.trim();
  if (trimmed === '') return false;
  if (/^[{}()[\];,]+$/.test(trimmed)) return false;
  // A submodule's pointer: git blame has no lines for it, and bumping it is not writing code.
  if (/^Subproject commit [0-9a-f]{40,64}$/.test(trimmed)) return false;
  return !COMMENT_ONLY.test(content);
}
