// Config section of the `local` spawner: one child process per single-user server.
// Schema and defaults live together so they cannot drift; types come from z.infer.
import { z } from 'zod';

export const LocalSpawnerConfigSchema = z
  .object({
    cmd: z
      .array(z.string().min(1))
      .min(1)
      .default(['jupyterhub-singleuser'])
      .describe('Command that runs the single-user server: executable first, then its fixed arguments.'),
    args: z
      .array(z.string())
      .default([])
      .describe('Extra arguments appended after cmd (e.g. ["--debug"]).'),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' }), z.string())
      .default({})
      .describe('Extra environment variables for every server; the hub-built JUPYTERHUB_* values win over these.'),
    ip: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address the server binds to (put into JUPYTERHUB_SERVICE_URL).'),
    stateDir: z
      .string()
      .min(1)
      .default('./.state/local-spawner')
      .describe('Directory for server records, logs and default home directories; survives hub restarts.'),
    notebookDir: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('Working directory (and HOME) of every server; null means <stateDir>/home/<safe user name>, created on demand.'),
    stopGraceSeconds: z
      .number()
      .nonnegative()
      .default(5)
      .describe('Seconds between SIGTERM and SIGKILL when stopping a server.'),
    allowRoot: z
      .union([z.literal('auto'), z.boolean()])
      .default('auto')
      .describe("Add --allow-root to the command line: 'auto' adds it only when the hub runs as uid 0."),
    maxConcurrentStarts: z
      .union([z.literal('auto'), z.number().int().positive()])
      .default('auto')
      .describe(
        "Server processes starting at once (from launch until they listen); later starts wait in line and see their place on the progress bar. " +
          "'auto': the machine's CPU count. Python servers spend their start-up on the CPU, so starting more at once than there are cores slows every one of them.",
      ),
    logTailLines: z
      .number()
      .int()
      .nonnegative()
      .default(40)
      .describe('How many trailing lines of a server log to report when it fails or stops.'),
  })
  .strict();

export type LocalSpawnerConfig = z.infer<typeof LocalSpawnerConfigSchema>;
export type LocalSpawnerConfigInput = z.input<typeof LocalSpawnerConfigSchema>;
