/**
 * Published test-split AUCs from Zeng et al., "Deep Just-in-Time Defect Prediction: How Far Are
 * We?" (ISSTA 2021), as tabulated in ../shared/data/jit/README.md (LR-JIT is its "LR, 14
 * metrics" column). That table has no DBN-JIT column and only four of the paper's six projects;
 * what it lacks is null here rather than a number from memory.
 */
export interface PublishedAuc {
  readonly lapredict: number;
  readonly deepjit: number;
  readonly cc2vec: number;
  readonly lrjit: number;
  readonly dbnjit: number | null;
}

export const PUBLISHED_AUC: Readonly<Record<string, PublishedAuc>> = {
  openstack: { lapredict: 0.7491, deepjit: 0.7132, cc2vec: 0.7227, lrjit: 0.7248, dbnjit: null },
  qt: { lapredict: 0.7438, deepjit: 0.6927, cc2vec: 0.6936, lrjit: 0.6651, dbnjit: null },
  jdt: { lapredict: 0.6757, deepjit: 0.6701, cc2vec: 0.6653, lrjit: 0.6736, dbnjit: null },
  go: { lapredict: 0.6831, deepjit: 0.6891, cc2vec: 0.6917, lrjit: 0.6749, dbnjit: null },
};

/** The best published model of a project among the numbers we have, and its name. */
export function bestPublished(p: PublishedAuc): { model: string; auc: number } {
  let best = { model: 'lapredict', auc: p.lapredict };
  for (const [model, auc] of Object.entries(p)) if (typeof auc === 'number' && auc > best.auc) best = { model, auc };
  return best;
}
