/** A Lambda handler as the local engine calls it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a Lambda context, built by the engine
export type TaskFunction = (event: unknown, context: any, opts?: any) => Promise<unknown>;

/**
 * Every function a state machine's Task can name, loaded lazily: the same modules Lambda runs
 * (functions/*.ts), so the local engine has no task logic of its own.
 */
export async function loadTaskFunctions(): Promise<Record<string, TaskFunction>> {
  const [
    validateBundle, acquireLock, takeSnapshot, applyPhase, checkStable, sampleGate,
    recordKnownGood, releaseLock, restoreSnapshot, verifyRestore, notify, prepareRollback, recordRollback,
  ] = await Promise.all([
    import('../../functions/validate-bundle.js'),
    import('../../functions/acquire-lock.js'),
    import('../../functions/take-snapshot.js'),
    import('../../functions/apply-phase.js'),
    import('../../functions/check-stable.js'),
    import('../../functions/sample-gate.js'),
    import('../../functions/record-known-good.js'),
    import('../../functions/release-lock.js'),
    import('../../functions/restore-snapshot.js'),
    import('../../functions/verify-restore.js'),
    import('../../functions/notify.js'),
    import('../../functions/prepare-rollback.js'),
    import('../../functions/record-rollback.js'),
  ]);
  const fns: Record<string, TaskFunction> = {
    validateBundle: validateBundle.handler,
    acquireLock: acquireLock.handler,
    takeSnapshot: takeSnapshot.handler,
    applyPhase: applyPhase.handler,
    checkStable: checkStable.handler,
    sampleGate: sampleGate.handler,
    recordKnownGood: recordKnownGood.handler,
    releaseLock: releaseLock.handler,
    restoreSnapshot: restoreSnapshot.handler,
    verifyRestore: verifyRestore.handler,
    notify: notify.handler,
    prepareRollback: prepareRollback.handler,
    recordRollback: recordRollback.handler,
  };
  return fns;
}
