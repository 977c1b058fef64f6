// scm-checks: decorates open pull/merge requests with the model's risk for their commits — a
// GitHub check run, a GitLab commit status and merge-request note.
import { runService } from '@omen/service';
import { startScmChecks } from './app.ts';
import { SCM_CHECKS_PORTS, scmChecksConfigSchema } from './config.ts';

await runService({
  name: 'scm-checks',
  configSchema: scmChecksConfigSchema,
  ports: SCM_CHECKS_PORTS,
  // It serves only health and reflection.
  maxReceiveMessageBytes: 16 * 1024,
  start: (ctx) => {
    startScmChecks(ctx);
  },
});
