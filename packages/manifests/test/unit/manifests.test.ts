import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCompose, checkManifests, consumersByTopic } from '../../src/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const composePath = join(root, 'compose', 'docker-compose.yaml');

/** The problems compose/ would have after `edit`. */
function composeProblemsAfter(edit: (yaml: string) => string): string[] {
  return checkCompose(edit(readFileSync(composePath, 'utf8')), dirname(composePath));
}

describe('compose/ and deploy/ match the code', () => {
  it('has no problems', () => {
    expect(checkManifests(root)).toEqual([]);
  });

  it('notices a service that lost an engine address or a pinned image', () => {
    const problems = composeProblemsAfter((y) => y.replace('    REDIS_URL: redis://redis:6379\n', '').replace('image: redis:7.4', 'image: redis:latest'));
    expect(problems).toContain('compose: ingest lacks REDIS_URL');
    expect(problems).toContain('compose: redis image redis:latest is not pinned to a version');
  });

  it('issue 11: GetArtifact open in the manifests — notices GRPC_REQUIRE_AUTH off, and a client without its token', () => {
    const problems = composeProblemsAfter((y) => y.replace('    GRPC_REQUIRE_AUTH: "true"\n', '').replace(', INFERENCE_TRAINER_TOKEN: "${OMEN_ADMIN_TOKEN}"', ''));
    expect(problems).toContain('compose: trainer-coordinator must set GRPC_REQUIRE_AUTH=true (artifacts and predictions need a credential)');
    expect(problems).toContain('compose: inference calls INFERENCE_TRAINER_ADDR without INFERENCE_TRAINER_TOKEN');
  });

  it('reads consumer groups from topics.yaml', () => {
    const consumers = consumersByTopic('topics:\n  - name: a.b.v1\n    consumers: [x, y]\n');
    expect(consumers.get('a.b.v1')).toEqual(['x', 'y']);
  });
});
