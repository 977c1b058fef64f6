import { randomBytes } from 'node:crypto';

const PREFIX = /^[a-z][a-z0-9-]*$/;

/**
 * A unique name for a topic or consumer group in a test: `<prefix>-<8 hex>`. Lower-case
 * letters, digits and '-' only, the one alphabet valid both as a topic and as a group (which
 * ends up inside DLQ topic names, `<topic>.dlq.<group>`).
 */
export function randomName(prefix: string): string {
  if (!PREFIX.test(prefix)) {
    throw new Error(
      `randomName prefix must match ${String(PREFIX)} (it names topics and groups); got ${JSON.stringify(prefix)}`,
    );
  }
  return `${prefix.replace(/-+$/, '')}-${randomBytes(4).toString('hex')}`;
}
