#!/usr/bin/env node
// The installed `omen` command: loads tsx's ESM hooks (the CLI is TypeScript, run from source
// like every omen package) and starts the CLI. Needs only Node >= 20.6 (module.register).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
