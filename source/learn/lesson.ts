/**
 * What a lesson is: pure texts (title, why, the AWS CLI and kms-tui equivalents of each step) and
 * the steps that run them for real on the current target. Steps pass each other only what may be
 * shown or stored (`Carry`: ids, ARNs, ciphertext in base64, fingerprints); plaintext data keys
 * live in the lesson's SecretBox, which the screen wipes (secrets.ts).
 */
import type {KeyValueRow} from '../components/key-value-table.js';
import type {Services} from '../service/index.js';
import type {SecretBox} from './secrets.js';

export type LessonId =
	| 'envelope'
	| 'why-envelopes'
	| 'context'
	| 'tamper'
	| 'reencrypt'
	| 'rotation';

export type StepText = {
	readonly title: string;
	/** Two or three short sentences: why this step exists and what it shows. */
	readonly why: readonly string[];
	/**
	 * The AWS CLI equivalent for a key reference and the options that reach the target
	 * (session-context.ts awsCliFlags), or a note that the step is local.
	 */
	readonly aws: (keyRef: string, targetFlags: string) => string;
	/** The kms-tui command that does the same (after `kms-tui`; the target flags are added). */
	readonly cli: readonly string[];
	/**
	 * The step changes the key (RotateKeyOnDemand): refused under --read-only, and on a target
	 * other than the sandbox run only after the learner typed the key id.
	 */
	readonly changesKey?: {readonly warning: string};
};

export type LessonText = {
	readonly id: LessonId;
	readonly title: string;
	/** One line for the lesson list. */
	readonly summary: string;
	/** Shown before the first step. */
	readonly intro: string;
	readonly steps: readonly StepText[];
	/** Shown once the last step ran. */
	readonly outro: string;
};

/** What a step shows: rows (masked, never a key) and optionally a document shown as is. */
export type StepResult = {
	readonly rows: readonly KeyValueRow[];
	readonly block?: string;
};

/** Non-secret values a step leaves for the next ones; JSON-safe, so a resume can restore them. */
export type Carry = Readonly<Record<string, string>>;

export type StepContext = {
	readonly services: Services;
	/** The key as the session chose it (id, ARN or alias). */
	readonly keyRef: string;
	readonly secrets: SecretBox;
	/** The lesson's own temp dir, made on first use and removed when the lesson closes. */
	readonly workDir: () => Promise<string>;
	readonly isSandbox: boolean;
	readonly signal: AbortSignal;
};

export type StepRun = (
	context: StepContext,
	carry: Carry,
) => Promise<{readonly result: StepResult; readonly carry?: Carry}>;

export type Lesson = LessonText & {
	readonly run: readonly StepRun[];
	/**
	 * Where a learner who stopped after `done` steps resumes: `done`, unless what the next step
	 * needs was never saved (a plaintext data key, the lesson's temp files): then an earlier step,
	 * either 0 or one after which the steps up to `done` changed no carry (the saved one is used).
	 */
	readonly resumeAt: (done: number) => number;
};
