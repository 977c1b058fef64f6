/**
 * Bug-fix detection from commit messages, version 1 (the `fix` feature of
 * jit_change_metrics@v1 and the `message_pattern` label method).
 *
 * Keyword lists in the JIT literature (Mockus & Votta 2000, Kamei et al. 2013, Commit Guru)
 * look for words like fix, bug, defect, fault. Whole words only, so "prefix", "fixture" and
 * "debug" do not count. "patch" and "error" are left out on purpose: in an HTTP framework
 * `app.patch` is a feature, and "error handling" is usually new code, not a repair.
 */
const FIX_WORDS =
  /\b(?:fix(?:e[sd]|ing)?|bug(?:s|fix(?:es)?)?|hotfix(?:es)?|defects?|faults?|crash(?:es|ed|ing)?|incorrect(?:ly)?|wrong(?:ly)?|broken|repair(?:s|ed|ing)?)\b/i;

/** True when the message says the commit repairs a defect. */
export function isFixMessage(message: string): boolean {
  return FIX_WORDS.test(message);
}

/**
 * Issue numbers a message references in the same repository: `#123`, `GH-123`, and GitLab's
 * `!`-less forms. Cross-repository references (`owner/repo#1`) are skipped: labels are per
 * repository.
 */
export function referencedIssues(message: string): number[] {
  const found = new Set<number>();
  const re = /(^|[^\w/#])(?:#|gh-)(\d{1,9})\b/gi;
  for (const m of message.matchAll(re)) {
    const n = Number(m[2]);
    if (n > 0) found.add(n);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * Issue numbers the message says it closes ("fixes #12", "closes #3, #4", "resolved GH-9"),
 * the GitHub/GitLab closing keywords. A closed bug issue makes the commit a fix.
 */
export function closedIssues(message: string): number[] {
  const found = new Set<number>();
  const re = /\b(?:fix(?:e[sd])?|close[sd]?|resolve[sd]?)\b[:\s]+((?:(?:#|gh-)\d{1,9}(?:\s*(?:,|and)\s*)?)+)/gi;
  for (const m of message.matchAll(re)) {
    for (const n of (m[1] ?? '').matchAll(/(?:#|gh-)(\d{1,9})/gi)) {
      const v = Number(n[1]);
      if (v > 0) found.add(v);
    }
  }
  return [...found].sort((a, b) => a - b);
}
