import { createRequire } from 'node:module';

/**
 * Source for `new Worker(source, { eval: true })` that runs the TypeScript module `entry` in a
 * worker thread: tsx's hooks registered inside the worker, then the entry imported. On Node 20 a
 * Worker's execArgv `--import tsx` is not applied to the entry (nodejs/node#47747), and the
 * services run from TypeScript sources (the image's CMD is `node --import tsx`).
 */
export function typescriptWorkerSource(entry: URL): string {
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api');
  return `require(${JSON.stringify(tsxApi)}).register();\nimport(${JSON.stringify(entry.href)});\n`;
}
