import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The contracts live at the repository root (protos/, schemas/) so that non-TypeScript
// consumers (buf, Java producers, analysts) find them without knowing this package.
const here = path.dirname(fileURLToPath(import.meta.url));

/** Repository root (the directory holding protos/ and schemas/). */
export const repoRoot = path.resolve(here, '../../..');
/** Root of the .proto tree; the include directory for every import. */
export const protoRoot = path.join(repoRoot, 'protos');
/** Directory of the Avro schemas (`<name>.avsc`). */
export const schemaRoot = path.join(repoRoot, 'schemas');
/** Where the generated TypeScript lives (committed). */
export const generatedRoot = path.join(here, 'generated');
