/** The AWS CLI lines lessons show: `aws kms …` with the key quoted and the target's options. */
import {shellQuote} from '../session-context.js';

/** `aws kms OPERATION --key-id KEY ARGS… TARGET`: `KEY` in `args` is replaced by the key too. */
export function awsKms(operation: string, args: readonly string[] = [], keyFlag = '--key-id') {
	return (keyRef: string, target: string): string => {
		const quoted = shellQuote(keyRef);
		const rest = args.map((arg) => (arg === 'KEY' ? quoted : arg));
		const key = keyFlag ? [keyFlag, quoted] : [];
		return ['aws', 'kms', operation, ...key, ...rest, ...(target ? [target] : [])].join(' ');
	};
}

/** A step KMS has no part in. */
export const localStep = () => '(none: this step is local, KMS never sees the data)';
