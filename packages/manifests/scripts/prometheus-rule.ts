// Writes deploy/observability/prometheus-rule.yaml from compose/prometheus/rules.yaml.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROMETHEUS_RULE_FILE, RULES_FILE, prometheusRuleYaml } from '../src/index.ts';

const root = resolve(import.meta.dirname, '../../..');
writeFileSync(join(root, PROMETHEUS_RULE_FILE), prometheusRuleYaml(readFileSync(join(root, RULES_FILE), 'utf8')));
process.stdout.write(`wrote ${PROMETHEUS_RULE_FILE}\n`);
