/**
 * Published test-split AUCs from Zeng et al., "Deep Just-in-Time Defect Prediction: How Far Are
 * We?" (ISSTA 2021), as tabulated in ../shared/data/jit/README.md.
 */
export const PUBLISHED_AUC: Readonly<Record<string, { readonly lapredict: number; readonly deepjit: number }>> = {
  openstack: { lapredict: 0.7491, deepjit: 0.7132 },
  qt: { lapredict: 0.7438, deepjit: 0.6927 },
  jdt: { lapredict: 0.6757, deepjit: 0.6701 },
  go: { lapredict: 0.6831, deepjit: 0.6891 },
};
