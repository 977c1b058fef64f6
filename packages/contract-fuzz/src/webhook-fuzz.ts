import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { checkHealth } from '@omen/grpc';
import { STACK_TRACE } from './grpc-fuzz.ts';
import type { Mesh } from './mesh.ts';
import { HOSTILE_STRINGS, hostileString } from './values.ts';

type Provider = 'github' | 'gitlab';
type Credential = 'none' | 'valid' | 'wrong' | 'malformed';

interface WebhookCase {
  provider: Provider;
  event: string | undefined;
  delivery: string | undefined;
  contentType: string | undefined;
  credential: Credential;
  body: Buffer;
}

// Header values travel as Latin-1 bytes; fetch refuses anything else before it is sent, so
// hostile header values are kept to what a client can actually put on the wire.
const latin1 = (s: string) =>
  [...s].filter((ch) => ch.charCodeAt(0) > 0x1f && ch.charCodeAt(0) < 0xff && ch.charCodeAt(0) !== 0x7f).join('');

function headerValue(known: readonly string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(...known),
    hostileString().map((s) => latin1(s).slice(0, 8192)),
  );
}

/** A payload shaped like a push or a merge request, with hostile values where ids, refs and names go. */
function scmShaped(): fc.Arbitrary<unknown> {
  const s = hostileString();
  const commit = fc.record(
    {
      id: s,
      message: s,
      timestamp: s,
      url: s,
      author: fc.record({ name: s, email: s, username: s }, { requiredKeys: [] }),
      added: fc.array(s, { maxLength: 3 }),
      removed: fc.array(s, { maxLength: 3 }),
      modified: fc.array(s, { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  const repository = fc.record(
    {
      id: fc.oneof(fc.integer(), fc.double(), s),
      full_name: s,
      name: s,
      path_with_namespace: s,
      html_url: s,
      owner: fc.record({ login: s, name: s }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  );
  return fc.record(
    {
      ref: s,
      before: s,
      after: s,
      object_kind: fc.constantFrom('push', 'merge_request', 'issue', 'tag_push', 'note'),
      repository,
      project: repository,
      commits: fc.oneof(
        fc.array(commit, { maxLength: 3 }),
        fc.constant(null).map(() => new Array<unknown>(20_000).fill({ id: 'a'.repeat(40) })),
      ),
      head_commit: commit,
      pull_request: fc.record(
        {
          number: fc.oneof(fc.integer(), fc.double()),
          title: s,
          state: s,
          merged: fc.boolean(),
          head: fc.record({ sha: s, ref: s }),
          base: fc.record({ sha: s, ref: s }),
        },
        { requiredKeys: [] },
      ),
      object_attributes: fc.record(
        {
          iid: fc.oneof(fc.integer(), s),
          title: s,
          state: s,
          action: s,
          labels: fc.array(fc.record({ title: s }), { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
      issue: fc.record(
        { number: fc.integer(), title: s, labels: fc.array(fc.record({ name: s }), { maxLength: 3 }) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  );
}

function bodies(): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 4, arbitrary: scmShaped().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '',
          '{',
          'null',
          '[]',
          '"x"',
          '{"ref":',
          '\ufeff{}',
          '{"a":1,"a":2}',
          '['.repeat(100_000),
          `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
          `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
          `{"x":"${'y'.repeat(2 << 20)}"}`,
          'payload=%7B%7D',
        )
        .map((s) => Buffer.from(s)),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...HOSTILE_STRINGS)
        .map((s) =>
          Buffer.from(`payload=${[...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`),
        ),
    },
  );
}

export function webhookCases(): fc.Arbitrary<WebhookCase> {
  return fc.record({
    provider: fc.constantFrom<Provider>('github', 'gitlab'),
    event: headerValue([
      'push',
      'pull_request',
      'issues',
      'ping',
      'Push Hook',
      'Merge Request Hook',
      'Issue Hook',
      'Tag Push Hook',
    ]),
    delivery: headerValue(['72d3162e-cc78-11e3-81ab-4c9367dc0958']),
    contentType: fc.constantFrom(
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
      'application/xml',
    ),
    credential: fc.constantFrom<Credential>('none', 'valid', 'valid', 'valid', 'wrong', 'malformed'),
    body: bodies(),
  });
}

function headersOf(c: WebhookCase, mesh: Mesh): Record<string, string> {
  const h: Record<string, string> = {};
  const gh = c.provider === 'github';
  if (c.event !== undefined) h[gh ? 'x-github-event' : 'x-gitlab-event'] = c.event;
  if (c.delivery !== undefined) h[gh ? 'x-github-delivery' : 'x-gitlab-event-uuid'] = c.delivery;
  if (c.contentType !== undefined) h['content-type'] = c.contentType;
  const credentialHeader = gh ? 'x-hub-signature-256' : 'x-gitlab-token';
  if (c.credential === 'valid')
    h[credentialHeader] = gh
      ? `sha256=${createHmac('sha256', mesh.githubSecret).update(c.body).digest('hex')}`
      : mesh.gitlabToken;
  else if (c.credential === 'wrong') h[credentialHeader] = gh ? `sha256=${'0'.repeat(64)}` : 'not-the-token';
  else if (c.credential === 'malformed') h[credentialHeader] = gh ? 'sha1=zz' : ' ';
  return h;
}

export interface WebhookFailure {
  provider: Provider;
  status: number;
  body: string;
  problems: string[];
  request: string;
}

export interface WebhookReport {
  cases: number;
  statuses: Record<string, number>;
  failures: WebhookFailure[];
}

/**
 * Posts `cases` generated deliveries to ingest's webhook endpoints (signed correctly most of the
 * time, so they reach the parsers). After each: an answer below 500 within the deadline, no
 * internals in the body, ingest alive and SERVING.
 */
export async function fuzzWebhooks(
  mesh: Mesh,
  options: { cases: number; seed: number; deadlineMs?: number; maxFailures?: number },
): Promise<WebhookReport> {
  const ingest = mesh.services.get('ingest');
  if (!ingest) throw new Error('the mesh has no ingest');
  const deadlineMs = options.deadlineMs ?? 10_000;
  const report: WebhookReport = { cases: 0, statuses: {}, failures: [] };
  for (const c of fc.sample(webhookCases(), { seed: options.seed, numRuns: options.cases })) {
    if (report.failures.length >= (options.maxFailures ?? 50)) break;
    const problems: string[] = [];
    let status = 0;
    let text = '';
    try {
      const res = await fetch(`${mesh.webhookUrl}/webhooks/${c.provider}`, {
        method: 'POST',
        headers: headersOf(c, mesh),
        body: c.body,
        signal: AbortSignal.timeout(deadlineMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      problems.push(`no answer: ${(err as Error).message}`);
    }
    report.cases++;
    report.statuses[String(status)] = (report.statuses[String(status)] ?? 0) + 1;
    if (status >= 500) problems.push(`HTTP ${status} for a client's request`);
    if (STACK_TRACE.test(text)) problems.push('the body holds a stack trace');
    for (const secret of mesh.secrets) if (text.includes(secret)) problems.push(`the body holds ${secret}`);
    if (!ingest.alive()) problems.push(`ingest died (last log lines: ${ingest.logs.slice(-3).join(' | ')})`);
    else if ((await checkHealth(ingest.address, { timeoutMs: 5000 })) !== 'SERVING')
      problems.push('ingest is not SERVING after the delivery');
    if (problems.length > 0) {
      report.failures.push({
        provider: c.provider,
        status,
        body: text.slice(0, 300),
        problems,
        request: `${c.credential} ${c.event ?? '-'} ${c.contentType ?? '-'} ${c.body.subarray(0, 120).toString('utf8')}`,
      });
    }
    if (!ingest.alive()) break;
  }
  return report;
}
