// SpawnError: a spawn failure with a message for the user, detail for the log and a reason label.
export class SpawnError extends Error {
  constructor(
    /** Shown to the user: what went wrong, in their words. */
    readonly userMessage: string,
    /** Stable label for metrics and events: 'exited', 'timeout', 'image-pull', ... */
    readonly reason: string,
    /** Extra detail for the log only (may contain paths, never secrets). */
    readonly detail?: string,
    readonly logTail?: string[],
  ) {
    super(userMessage);
    this.name = 'SpawnError';
  }
}
