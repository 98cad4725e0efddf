/**
 * Whether a process still runs, for the things kms-tui leaves behind it: the sandbox state lock's
 * holder, a writer's temp files, a `sandbox serve` record. Signal 0 checks without signalling;
 * only ESRCH means gone (EPERM: it runs, as another user). Dependency-free, so the sandbox, the
 * envelope engine and the commands can all use it.
 */
export function isProcessAlive(pid: number): boolean {
	if (!Number.isSafeInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code !== 'ESRCH';
	}
}
