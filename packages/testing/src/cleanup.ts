/**
 * Registers teardown work: vitest's `onTestFinished` (per test) or `afterAll` (per file) fit
 * as they are, so every factory here cleans up after itself.
 */
export type Cleanup = (fn: () => Promise<void>) => void;
