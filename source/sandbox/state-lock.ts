/**
 * The cross-process lock around a sandbox transaction: a file `state.lock` that names its holder
 * (PID, host, a random token). It appears whole or not at all, because it is written under a
 * private name first and then hard-linked into place, which fails if the lock exists.
 *
 * A holder that was killed (`kill -9`, a crash, power loss) cannot remove its lock. Instead of
 * guessing from the file's age, the next process asks the kernel whether the holder still runs
 * (`process.kill(pid, 0)`) and takes the lock over at once if it does not. A live holder is
 * waited for, and the wait is said once, with who holds the lock.
 */
import {randomBytes} from 'node:crypto';
import {link, readFile, rename, rmdir, stat, unlink, writeFile} from 'node:fs/promises';
import {hostname} from 'node:os';
import {setTimeout as sleep} from 'node:timers/promises';
import {isProcessAlive} from '../process-alive.js';
import {SandboxStateError} from './state-error.js';

type Holder = {
	readonly pid: number;
	readonly host: string;
	readonly token: string;
	readonly since: string;
};

export type LockNotice = (message: string) => void;

export type LockOptions = {
	/** How long to wait for a live holder before giving up. */
	readonly timeoutMs?: number;
	/** Where "waiting for …" and "took over …" go; stderr by default. */
	readonly notice?: LockNotice;
};

/** A holder on another host cannot be asked whether it runs: after this long it is presumed gone. */
const foreignHolderStaleMs = 60_000;
/** A lock directory is proper-lockfile's (older kms-tui builds); they refreshed it every 5 s. */
const legacyLockStaleMs = 10_000;

async function readHolder(file: string): Promise<Holder | 'missing' | 'legacy' | 'unreadable'> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return 'missing';
		if (code === 'EISDIR') return 'legacy';
		throw error;
	}
	try {
		const parsed = JSON.parse(text) as Partial<Holder>;
		if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
			return {
				pid: parsed.pid,
				host: String(parsed.host),
				token: parsed.token,
				since: String(parsed.since),
			};
		}
	} catch {
		// Not ours: fall through.
	}
	return 'unreadable';
}

function describe(holder: Holder): string {
	return `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} (holding it since ${holder.since})`;
}

async function isStale(
	lockPath: string,
	holder: Holder | 'legacy' | 'unreadable',
): Promise<boolean> {
	if (typeof holder === 'object') {
		if (holder.host === hostname()) return !isProcessAlive(holder.pid);
		return Date.now() - Date.parse(holder.since) > foreignHolderStaleMs;
	}
	const age = Date.now() - (await stat(lockPath)).mtimeMs;
	return age > (holder === 'legacy' ? legacyLockStaleMs : foreignHolderStaleMs);
}

/**
 * Removes a stale lock, unless someone replaced it since it was read: it is first renamed
 * aside (atomic), then checked, and put back if it turned out to be another, live holder's.
 */
async function removeStale(
	lockPath: string,
	seen: Holder | 'legacy' | 'unreadable',
): Promise<void> {
	if (seen === 'legacy') {
		await rmdir(lockPath).catch(() => undefined);
		return;
	}
	const aside = `${lockPath}.stale.${randomBytes(6).toString('hex')}`;
	try {
		await rename(lockPath, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	const moved = await readHolder(aside);
	const same =
		typeof seen === 'object'
			? typeof moved === 'object' && moved.token === seen.token
			: moved === seen;
	if (!same) await link(aside, lockPath).catch(() => undefined);
	await unlink(aside).catch(() => undefined);
}

export type HeldLock = {
	release(): Promise<void>;
	/** PIDs of this host's dead holders whose locks were taken over: their leftovers can go. */
	readonly tookOverFrom: readonly number[];
};

/** Creates the lock file, whole, unless it exists. */
async function tryCreate(lockPath: string, me: Holder): Promise<boolean> {
	// Written under a private name, then linked: the lock never exists half-written. The private
	// name lives only for this attempt, so a process killed while waiting leaves nothing.
	const mine = `${lockPath}.${process.pid}.${me.token}`;
	try {
		// Inside the try: on a full disk the file is created but its write fails, and it must go.
		await writeFile(mine, `${JSON.stringify(me)}\n`, {mode: 0o600});
		await link(mine, lockPath);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		return false;
	} finally {
		await unlink(mine).catch(() => undefined);
	}
}

/**
 * Takes the lock at `lockPath`. Waits for a live holder (saying so once), takes over at once from
 * a holder that is gone (saying so), and fails after `timeoutMs`.
 */
export async function acquireStateLock(
	lockPath: string,
	options: LockOptions = {},
): Promise<HeldLock> {
	const notice =
		options.notice ?? ((message) => process.stderr.write(`kms-tui sandbox: ${message}\n`));
	const timeoutMs = options.timeoutMs ?? 30_000;
	const me: Holder = {
		pid: process.pid,
		host: hostname(),
		token: randomBytes(12).toString('hex'),
		since: new Date().toISOString(),
	};
	const tookOverFrom: number[] = [];
	let saidWaiting = false;
	let pause = 1;
	// Waiting is timed per holder: under contention the lock passes from one process to the next
	// every few milliseconds, which is progress, not a stuck holder to report or give up on.
	let seen: string | undefined;
	let started = Date.now();
	for (;;) {
		if (await tryCreate(lockPath, me)) break;
		const holder = await readHolder(lockPath);
		if (holder === 'missing') continue; // released meanwhile: try again at once
		const identity = typeof holder === 'object' ? holder.token : holder;
		if (identity !== seen) {
			seen = identity;
			started = Date.now();
		}
		if (await isStale(lockPath, holder)) {
			await removeStale(lockPath, holder);
			if (typeof holder === 'object' && holder.host === me.host) tookOverFrom.push(holder.pid);
			notice(
				typeof holder === 'object'
					? `took over the sandbox lock of ${describe(holder)}: that process is no longer running.`
					: `took over an abandoned sandbox lock (${lockPath}).`,
			);
			continue;
		}
		if (Date.now() - started > timeoutMs) {
			throw new SandboxStateError(
				`The sandbox state is still locked by ${typeof holder === 'object' ? describe(holder) : `another process (${lockPath})`} after ${Math.round(timeoutMs / 1000)} s. ` +
					'If that process is stuck, stop it; kms-tui takes over the lock of a process that has ended.',
			);
		}
		if (!saidWaiting && Date.now() - started > 500) {
			saidWaiting = true;
			notice(
				`waiting for the sandbox lock: ${typeof holder === 'object' ? describe(holder) : `another process (${lockPath})`} is using the sandbox state.`,
			);
		}
		await sleep(pause);
		// Short polls: a transaction holds the lock for a millisecond or two, and a waiter asleep
		// for longer loses its turn to the others again and again.
		pause = Math.min(pause * 2, 8);
	}
	return {
		tookOverFrom,
		release: async () => {
			// Removed only while still ours: a process that presumed us gone may hold it now.
			const holder = await readHolder(lockPath);
			if (typeof holder === 'object' && holder.token === me.token) {
				await unlink(lockPath).catch(() => undefined);
			}
		},
	};
}
