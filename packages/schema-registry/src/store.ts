import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type avro from 'avsc';
import {
  checkCompatibility,
  defaultCompatibility,
  isCompatibilityLevel,
  type CompatibilityLevel,
  type CompatibilityResult,
} from './domain/compatibility.ts';
import { parseAvroSchema } from './domain/schema.ts';
import { RegistryError } from './errors.ts';

/** The file under the data directory that holds the whole registry state. */
export const stateFileName = 'registry.json';

interface VersionRecord {
  version: number;
  id: number;
  deleted?: boolean;
}

interface SubjectRecord {
  versions: VersionRecord[];
  compatibility?: CompatibilityLevel;
}

interface StateFile {
  format: 1;
  nextId: number;
  compatibility: CompatibilityLevel;
  schemas: Record<string, string>;
  subjects: Record<string, SubjectRecord>;
}

/** A version of a subject as the REST API returns it. */
export interface SubjectVersion {
  subject: string;
  id: number;
  version: number;
  schema: string;
}

interface StoredSchema {
  readonly schema: string;
  readonly identity: string;
  readonly type: avro.Type;
}

const MAX_VERSION = 2 ** 31 - 1;

/** Parses a version path segment: a positive integer, "latest" or -1. */
export function parseVersion(raw: string): number | 'latest' {
  if (raw === 'latest' || raw === '-1') return 'latest';
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_VERSION) {
    throw new RegistryError(
      'INVALID_VERSION',
      `The specified version '${raw}' is not a valid version id. Allowed values are between [1, ${MAX_VERSION}] and the string "latest"`,
    );
  }
  return n;
}

/**
 * The registry's state: schemas by global id, subjects with their versions, compatibility
 * levels. Every change is written to `<dataDir>/registry.json` before it is acknowledged, by
 * writing a temporary file and renaming it over the old one, so a crash leaves either the old
 * or the new state, never a torn file, and ids stay stable across restarts.
 */
export class RegistryStore {
  readonly #byId = new Map<number, StoredSchema>();
  readonly #idByIdentity = new Map<string, number>();
  #writeChain: Promise<void> = Promise.resolve();
  readonly #file: string;
  readonly #state: StateFile;

  // Private: a store comes only from open(), which reads and checks the file first.
  private constructor(file: string, state: StateFile) {
    this.#file = file;
    this.#state = state;
    for (const [idText, schema] of Object.entries(state.schemas)) {
      const id = Number(idText);
      let parsed;
      try {
        parsed = parseAvroSchema(schema);
      } catch (err) {
        throw new Error(`${file}: schema id ${idText} is not a valid Avro schema: ${(err as Error).message}`, {
          cause: err,
        });
      }
      this.#byId.set(id, { schema: parsed.schema, identity: parsed.identity, type: parsed.type });
      this.#idByIdentity.set(parsed.identity, id);
    }
  }

  /** Opens (or starts) the registry state in `dataDir`. A corrupt state file is an error, never a silent reset: that would hand out ids again. */
  static async open(dataDir: string): Promise<RegistryStore> {
    await mkdir(dataDir, { recursive: true });
    const file = path.join(dataDir, stateFileName);
    let text: string | null = null;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text === null) {
      return new RegistryStore(file, {
        format: 1,
        nextId: 1,
        compatibility: defaultCompatibility,
        schemas: {},
        subjects: {},
      });
    }
    let state: StateFile;
    try {
      state = JSON.parse(text) as StateFile;
    } catch (err) {
      throw new Error(`${file}: registry state is not JSON (${(err as Error).message}); restore it or move it away`, {
        cause: err,
      });
    }
    if (
      state.format !== 1 ||
      typeof state.nextId !== 'number' ||
      !isCompatibilityLevel(state.compatibility) ||
      typeof state.schemas !== 'object' ||
      typeof state.subjects !== 'object'
    ) {
      throw new Error(`${file}: not a registry state file of format 1`);
    }
    return new RegistryStore(file, state);
  }

  #persist(): Promise<void> {
    const snapshot = JSON.stringify(this.#state);
    const next = this.#writeChain.then(async () => {
      const tmp = `${this.#file}.${process.pid}.${Date.now()}.tmp`;
      try {
        const handle = await open(tmp, 'w');
        try {
          await handle.writeFile(snapshot);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(tmp, this.#file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw new RegistryError(
          'STORE_ERROR',
          `Error while writing the registry state to ${this.#file}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    });
    // A failed write must not block later ones; the failure is reported to its own caller.
    this.#writeChain = next.catch(() => undefined);
    return next;
  }

  #subject(name: string): SubjectRecord {
    const subject = this.#state.subjects[name];
    if (!subject || !subject.versions.some((v) => !v.deleted)) {
      throw new RegistryError('SUBJECT_NOT_FOUND', `Subject '${name}' not found.`);
    }
    return subject;
  }

  #live(subject: SubjectRecord): VersionRecord[] {
    return subject.versions.filter((v) => !v.deleted);
  }

  #stored(id: number): StoredSchema {
    const s = this.#byId.get(id);
    if (!s) throw new RegistryError('SCHEMA_NOT_FOUND', `Schema ${id} not found`);
    return s;
  }

  #view(subject: string, v: VersionRecord): SubjectVersion {
    return { subject, id: v.id, version: v.version, schema: this.#stored(v.id).schema };
  }

  get globalCompatibility(): CompatibilityLevel {
    return this.#state.compatibility;
  }

  async setGlobalCompatibility(level: unknown): Promise<CompatibilityLevel> {
    const checked = checkLevel(level);
    this.#state.compatibility = checked;
    await this.#persist();
    return checked;
  }

  /** The subject's own level, or undefined when it has none (it then follows the global one). */
  subjectCompatibility(subject: string): CompatibilityLevel | undefined {
    return this.#state.subjects[subject]?.compatibility;
  }

  effectiveCompatibility(subject: string): CompatibilityLevel {
    return this.subjectCompatibility(subject) ?? this.#state.compatibility;
  }

  async setSubjectCompatibility(subject: string, level: unknown): Promise<CompatibilityLevel> {
    const checked = checkLevel(level);
    const record = (this.#state.subjects[subject] ??= { versions: [] });
    record.compatibility = checked;
    await this.#persist();
    return checked;
  }

  async deleteSubjectCompatibility(subject: string): Promise<CompatibilityLevel> {
    const record = this.#state.subjects[subject];
    const previous = record?.compatibility;
    if (!record || previous === undefined) {
      throw new RegistryError('SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`);
    }
    delete record.compatibility;
    await this.#persist();
    return previous;
  }

  subjects(includeDeleted = false): string[] {
    return Object.entries(this.#state.subjects)
      .filter(([, s]) => s.versions.some((v) => includeDeleted || !v.deleted))
      .map(([name]) => name)
      .sort();
  }

  versions(subject: string): number[] {
    return this.#live(this.#subject(subject)).map((v) => v.version);
  }

  version(subject: string, version: number | 'latest'): SubjectVersion {
    const live = this.#live(this.#subject(subject));
    const found = version === 'latest' ? live.at(-1) : live.find((v) => v.version === version);
    if (!found) throw new RegistryError('VERSION_NOT_FOUND', `Version ${version} not found.`);
    return this.#view(subject, found);
  }

  schemaById(id: number): { schema: string } {
    return { schema: this.#stored(id).schema };
  }

  /** Every live (subject, version) that uses a schema id. */
  usages(id: number): { subject: string; version: number }[] {
    this.#stored(id);
    return Object.entries(this.#state.subjects).flatMap(([subject, s]) =>
      s.versions.filter((v) => !v.deleted && v.id === id).map((v) => ({ subject, version: v.version })),
    );
  }

  /** The version of `subject` holding this schema; 40401 or 40403 when there is none. */
  lookup(subject: string, schemaText: unknown): SubjectVersion {
    const parsed = parseAvroSchema(schemaText);
    const live = this.#live(this.#subject(subject));
    const found = live.find((v) => this.#stored(v.id).identity === parsed.identity);
    if (!found) throw new RegistryError('SCHEMA_NOT_FOUND', 'Schema not found');
    return this.#view(subject, found);
  }

  /**
   * Registers a schema under a subject and returns its global id. The same schema again returns
   * the id it already has (and creates no version); a schema known under another subject keeps
   * its id. A schema incompatible with the subject's versions under its level is refused (409).
   */
  async register(subject: string, schemaText: unknown): Promise<number> {
    const parsed = parseAvroSchema(schemaText);
    const record = this.#state.subjects[subject] ?? { versions: [] };
    const live = this.#live(record);
    const same = live.find((v) => this.#stored(v.id).identity === parsed.identity);
    if (same) return same.id;

    const result = this.#compatibilityAgainst(parsed.type, live, this.effectiveCompatibility(subject));
    if (!result.compatible) {
      throw new RegistryError(
        'INCOMPATIBLE_SCHEMA',
        `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: ${result.messages.join('; ')}`,
      );
    }
    let id = this.#idByIdentity.get(parsed.identity);
    if (id === undefined) {
      id = this.#state.nextId++;
      this.#state.schemas[String(id)] = parsed.schema;
      this.#byId.set(id, { schema: parsed.schema, identity: parsed.identity, type: parsed.type });
      this.#idByIdentity.set(parsed.identity, id);
    }
    const version = Math.max(0, ...record.versions.map((v) => v.version)) + 1;
    record.versions.push({ version, id });
    this.#state.subjects[subject] = record;
    await this.#persist();
    return id;
  }

  /** Compatibility of a candidate with one version (or, with undefined, every version the level asks for). */
  testCompatibility(subject: string, version: number | 'latest' | undefined, schemaText: unknown): CompatibilityResult {
    const parsed = parseAvroSchema(schemaText);
    const live = this.#live(this.#subject(subject));
    const level = this.effectiveCompatibility(subject);
    if (version === undefined) return this.#compatibilityAgainst(parsed.type, live, level);
    const target = version === 'latest' ? live.at(-1) : live.find((v) => v.version === version);
    if (!target) throw new RegistryError('VERSION_NOT_FOUND', `Version ${version} not found.`);
    // Against one named version the level's direction applies, its transitivity does not.
    return this.#compatibilityAgainst(parsed.type, [target], level.replace('_TRANSITIVE', '') as CompatibilityLevel);
  }

  #compatibilityAgainst(
    candidate: avro.Type,
    versions: readonly VersionRecord[],
    level: CompatibilityLevel,
  ): CompatibilityResult {
    return checkCompatibility(
      candidate,
      versions.map((v) => ({ version: v.version, type: this.#stored(v.id).type })),
      level,
    );
  }

  /** Deletes a subject (soft: its versions disappear, ids stay resolvable; permanent: forgotten). */
  async deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    const record = this.#state.subjects[subject];
    if (!record || (!permanent && !record.versions.some((v) => !v.deleted))) {
      throw new RegistryError('SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`);
    }
    const versions = record.versions.filter((v) => permanent || !v.deleted).map((v) => v.version);
    if (permanent) delete this.#state.subjects[subject];
    else for (const v of record.versions) v.deleted = true;
    await this.#persist();
    return versions;
  }

  async deleteVersion(subject: string, version: number | 'latest', permanent: boolean): Promise<number> {
    const record = this.#subject(subject);
    const live = this.#live(record);
    const target =
      version === 'latest'
        ? live.at(-1)
        : record.versions.find((v) => v.version === version && (permanent || !v.deleted));
    if (!target) throw new RegistryError('VERSION_NOT_FOUND', `Version ${version} not found.`);
    if (permanent) record.versions = record.versions.filter((v) => v !== target);
    else target.deleted = true;
    await this.#persist();
    return target.version;
  }

  /** Resolves once every accepted change is on disk. */
  async flush(): Promise<void> {
    await this.#writeChain;
  }
}

function checkLevel(level: unknown): CompatibilityLevel {
  const upper = typeof level === 'string' ? level.toUpperCase() : level;
  if (!isCompatibilityLevel(upper)) {
    throw new RegistryError(
      'INVALID_COMPATIBILITY_LEVEL',
      `Invalid compatibility level ${JSON.stringify(level)}; valid levels: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE`,
    );
  }
  return upper;
}
