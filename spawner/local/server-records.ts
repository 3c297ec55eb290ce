// Record files, one per running server in <stateDir>/servers, so a restarted hub can re-adopt
// servers through list(). Also the per-server state blob's schema. No process control here.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** The opaque state the hub stores for a local server. */
export const LocalServerStateSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65535),
  startTime: z.number().int().nonnegative(),
  logFile: z.string().min(1),
});
export type LocalServerState = z.infer<typeof LocalServerStateSchema>;

export const ServerRecordSchema = LocalServerStateSchema.extend({
  user: z.string(),
  serverName: z.string(),
  url: z.url(),
});
export type ServerRecord = z.infer<typeof ServerRecordSchema>;

export class ServerRecords {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  async write(key: string, record: ServerRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Write then rename, so a hub killed mid-write never leaves half a record behind.
    const tmp = `${this.file(key)}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
    await rename(tmp, this.file(key));
  }

  async read(key: string): Promise<ServerRecord | null> {
    try {
      const parsed = ServerRecordSchema.safeParse(JSON.parse(await readFile(this.file(key), 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  /** Every record file: key plus its parsed content, or null when unreadable. */
  async all(): Promise<{ key: string; record: ServerRecord | null }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const keys = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
    return Promise.all(keys.map(async (key) => ({ key, record: await this.read(key) })));
  }
}
