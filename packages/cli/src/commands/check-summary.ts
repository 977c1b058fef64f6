// The demo's last step: what a pull request touching a commit would show — the GitHub check run
// scm-checks publishes — rendered from inference's answer over its HTTP/JSON surface
// (POST /v1/analyze), with scm-checks' own renderer so the demo shows the real thing.
import { render, reportFromPredict, type PredictAnswer } from '@omen/scm-checks/summary';

/** @default threshold 0.5 (SCM_CHECKS_THRESHOLD's default) */
export async function printCheckSummary(options: {
  httpPort: number;
  token: string;
  repoId: string;
  sha: string;
  threshold?: number;
  out?: NodeJS.WritableStream;
}): Promise<boolean> {
  const out = options.out ?? process.stdout;
  const url = `http://127.0.0.1:${options.httpPort}/v1/analyze`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
    body: JSON.stringify({ repo_id: options.repoId, sha: options.sha, top_k: 5 }),
  }).catch((err: unknown) => ({ ok: false, status: 0, text: () => Promise.resolve(String(err)) }) as const);
  if (!res.ok) {
    out.write(`POST ${url} failed (${res.status}): ${(await res.text()).slice(0, 200)}\n`);
    return false;
  }
  const answer = (await res.json()) as PredictAnswer;
  const rendered = render(reportFromPredict(answer, Date.now()), options.threshold ?? 0.5);
  out.write(
    `\ncheck run "omen / defect risk" for ${options.repoId}@${options.sha.slice(0, 12)} (conclusion: ${rendered.conclusion}):\n`,
  );
  out.write(`## ${rendered.title}\n\n${rendered.summary}\n`);
  return true;
}
