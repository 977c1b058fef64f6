import type { GbdtModel } from '../gbdt/booster.ts';
import type { AttrValue } from './builder.ts';

/**
 * Node and leaf attributes shared by TreeEnsembleClassifier and TreeEnsembleRegressor.
 * Splits are BRANCH_LEQ on float32 thresholds — the same comparison the trainer makes (see
 * binning.ts), so both take the same branch for every float32 input.
 */
export function treeNodeAttributes(model: GbdtModel): {
  nodes: Record<string, AttrValue>;
  leaves: { treeIds: number[]; nodeIds: number[]; weights: number[] };
} {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const leaves = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  model.trees.forEach((tree, t) => {
    for (let k = 0; k < tree.feature.length; k++) {
      const leaf = tree.feature[k]! < 0;
      treeIds.push(t);
      nodeIds.push(k);
      featureIds.push(leaf ? 0 : tree.feature[k]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      values.push(leaf ? 0 : tree.threshold[k]!);
      trueIds.push(leaf ? 0 : tree.left[k]!);
      falseIds.push(leaf ? 0 : tree.right[k]!);
      if (leaf) {
        leaves.treeIds.push(t);
        leaves.nodeIds.push(k);
        leaves.weights.push(tree.value[k]!);
      }
    }
  });
  if (model.trees.length === 0) {
    // A model with no trees still needs one tree: a single leaf worth 0.
    treeIds.push(0);
    nodeIds.push(0);
    featureIds.push(0);
    modes.push('LEAF');
    values.push(0);
    trueIds.push(0);
    falseIds.push(0);
    leaves.treeIds.push(0);
    leaves.nodeIds.push(0);
    leaves.weights.push(0);
  }
  return {
    nodes: {
      nodes_treeids: { ints: treeIds },
      nodes_nodeids: { ints: nodeIds },
      nodes_featureids: { ints: featureIds },
      nodes_modes: { strings: modes },
      nodes_values: { floats: values },
      nodes_truenodeids: { ints: trueIds },
      nodes_falsenodeids: { ints: falseIds },
    },
    leaves,
  };
}
