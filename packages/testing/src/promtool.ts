// promtool (Debian's prometheus package, installed by scripts/lib/bootstrap.sh) as the judge of
// what a /metrics page or a rules file looks like to Prometheus itself.
import { spawnSync } from 'node:child_process';

/** `promtool check metrics` on an exposition text: its complaints, one per line ([] when clean). */
export function promtoolCheckMetrics(text: string): string[] {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error)
    throw new Error(`promtool: ${run.error.message} (scripts/lib/bootstrap.sh installs Debian's prometheus package)`);
  return `${run.stdout}${run.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
