/** Kamei et al.'s 14 change metrics, in the order every model's input tensor uses. */
export const KAMEI_FEATURES = [
  'ns',
  'nd',
  'nf',
  'entropy',
  'la',
  'ld',
  'lt',
  'fix',
  'ndev',
  'age',
  'nuc',
  'exp',
  'rexp',
  'sexp',
] as const;

/**
 * Heavy-tailed count-like metrics: a linear model sees them through log1p, otherwise a few huge
 * changes dominate the fit. Entropy (bounded) and fix (binary) stay as they are.
 */
export const KAMEI_COUNT_LIKE: readonly string[] = [
  'ns',
  'nd',
  'nf',
  'la',
  'ld',
  'lt',
  'ndev',
  'age',
  'nuc',
  'exp',
  'rexp',
  'sexp',
];

/** Effort to inspect a change, for effort-aware metrics: lines added + deleted (Kamei 2013). */
export const EFFORT_FEATURES = ['la', 'ld'] as const;
