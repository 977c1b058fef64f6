// Promotions (model.promoted, published as the trainer does) and experiment changes (ab-router's
// announcer) on a three-server NATS cluster (`./scripts/omen stack up --cluster`, OMEN_CLUSTER=1):
// with one server SIGKILLed, and with one SIGSTOPped, every message published after the
// publisher had it acknowledged reaches every subscriber not on the failed server at once, and
// the subscribers that were on it once they have moved to another server (the client's pings
// find a stalled server within ~10 s). Core NATS keeps nothing for a subscriber that is between
// servers; the services catch up from the registry and Redis on their periodic re-read.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelEventPayload, parseModelEvent, type ModelEventPayload } from '@omen/model-registry';
import { connectNats, publishFlushed } from '@omen/service';
import { createLogger } from '@omen/telemetry';
import {
  clusterStackUp,
  natsClusterMonitorPorts,
  natsClusterNodes,
  randomName,
  stackEnv,
  waitFor,
  waitNatsClusterHealthy,
} from '@omen/testing';
import { connectAnnouncer, type Announcer, type ExperimentChanged } from '../../src/adapters/nats-announcer.ts';

const cluster = clusterStackUp();
const subject = `experiment.changed.${randomName('c')}`;
const modelSubject = `model.promoted.${randomName('c')}`;
const logger = createLogger({ service: 'test', level: 'silent' });

interface Listener {
  readonly announcer: Announcer;
  readonly changes: Set<string>;
  readonly promotions: Set<string>;
}

const listeners: Listener[] = [];
let publisher: Announcer;
let trainer: NatsConnection;

/** How many of this test's subscriptions each server holds (its /connz), by node index. */
async function subscribersPerServer(): Promise<number[]> {
  return Promise.all(
    natsClusterMonitorPorts().map(async (port) => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/connz?subs=1&limit=1024`, {
          signal: AbortSignal.timeout(1000),
        });
        const body = (await res.json()) as { connections?: { subscriptions_list?: string[] }[] };
        return (body.connections ?? []).filter((c) => c.subscriptions_list?.includes(subject)).length;
      } catch {
        return -1; // down or stalled
      }
    }),
  );
}

async function publishAll(seqs: readonly number[]): Promise<void> {
  for (const seq of seqs) {
    const change: ExperimentChanged = {
      experiment_id: `exp-${seq}`,
      model_name: 'm',
      state: 'RUNNING',
      change: 'created',
      at: new Date().toISOString(),
    };
    const promotion = modelEventPayload({
      model: 'jit-defect',
      version: `v${seq}`,
      sha256: randomBytes(32).toString('hex'),
      alias: 'champion',
      previousVersion: null,
      at: change.at,
    });
    // The publishers retry as their callers do (the trainer's promote RPC answers UNAVAILABLE
    // and is retried; ab-router re-announces): a publish counts once the server had it.
    for (let attempt = 0; ; attempt++) {
      try {
        await publisher.announce(change);
        await publishFlushed(trainer, modelSubject, JSON.stringify(promotion));
        break;
      } catch (err) {
        if (attempt > 100) throw err;
        await sleep(200);
      }
    }
  }
}

async function expectEvery(list: readonly Listener[], seqs: readonly number[]): Promise<void> {
  await waitFor(() => list.every((l) => seqs.every((s) => l.changes.has(`exp-${s}`) && l.promotions.has(`v${s}`))), {
    timeoutMs: 20_000,
    message: `every listener to hear ${seqs.join(',')}`,
  });
}

describe.skipIf(!cluster)('control messages on a NATS cluster that loses a server', () => {
  beforeAll(async () => {
    await waitNatsClusterHealthy();
    const url = stackEnv('NATS_URL').NATS_URL;
    expect(url.split(',')).toHaveLength(3);
    // Enough listeners that, with the client's random server order, each server holds some.
    for (let i = 0; i < 6; i++) {
      const l: Listener = { announcer: undefined as unknown as Announcer, changes: new Set(), promotions: new Set() };
      (l as { announcer: Announcer }).announcer = await connectAnnouncer({
        url,
        subject,
        logger,
        onChange: (c) => l.changes.add(c.experiment_id),
        modelSubject,
        onModelPromoted: (e: ModelEventPayload) => {
          const parsed = parseModelEvent(JSON.stringify(e));
          if (typeof parsed !== 'string') l.promotions.add(e.version);
        },
      });
      listeners.push(l);
    }
    // The publishing replica subscribes to the subject too (as every ab-router does): 7 subscriptions.
    publisher = await connectAnnouncer({ url, subject, logger, onChange: () => undefined });
    trainer = await connectNats({ url, name: 'trainer-coordinator-test' });
    await waitFor(async () => (await subscribersPerServer()).reduce((a, b) => a + b, 0) === 7, {
      timeoutMs: 10_000,
      message: 'seven subscriptions',
    });
  });
  afterAll(async () => {
    for (const l of listeners) await l.announcer.close().catch(() => undefined);
    await publisher?.close().catch(() => undefined);
    await trainer?.close().catch(() => undefined);
  });

  for (const signal of ['SIGKILL', 'SIGSTOP'] as const) {
    it(`with one server ${signal === 'SIGKILL' ? 'killed' : 'stopped'}, every acknowledged promotion and experiment change reaches every subscriber`, async () => {
      const base = signal === 'SIGKILL' ? 0 : 100;
      await publishAll([base + 1, base + 2]);
      await expectEvery(listeners, [base + 1, base + 2]);

      // Fail the server that holds the most of this test's subscriptions.
      const before = await subscribersPerServer();
      const index = before.indexOf(Math.max(...before));
      const victim = natsClusterNodes()[index]!;
      const onVictim = before[index]!;
      expect(onVictim).toBeGreaterThan(0);
      victim.fail(signal);
      try {
        // Published while the failed server's subscribers may still be moving.
        await publishAll([base + 3, base + 4, base + 5]);
        // Every subscription is served by a surviving server again (the stalled one's by ping timeout).
        await waitFor(
          async () => {
            const now = await subscribersPerServer();
            return now.filter((_, i) => i !== index).reduce((a, b) => a + Math.max(b, 0), 0) === 7;
          },
          { timeoutMs: 40_000, message: 'the subscriptions to move off the failed server' },
        );
        const moved = listeners.filter((l) => !l.changes.has(`exp-${base + 3}`) || !l.promotions.has(`v${base + 3}`));
        await publishAll([base + 6, base + 7, base + 8]);
        await expectEvery(listeners, [base + 6, base + 7, base + 8]);
        // Those that never left a server lost nothing published during the failure.
        const stayed = listeners.filter((l) => !moved.includes(l));
        expect(stayed.length).toBeGreaterThanOrEqual(listeners.length - onVictim);
        expect(stayed.length).toBeGreaterThan(0);
        await expectEvery(stayed, [base + 3, base + 4, base + 5]);
        console.log(
          JSON.stringify({
            nats: { signal, victim: victim.port, subscribersOnVictim: onVictim, missedWhileMoving: moved.length },
          }),
        );
      } finally {
        victim.restore();
        await waitNatsClusterHealthy(60_000);
      }
    }, 150_000);
  }
});
