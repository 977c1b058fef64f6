// Moved to @omen/features/change: inference computes the same metrics from a diff.
export { ROOT, directoryOf, subsystemOf } from '@omen/features/change';
