/**
 * Merging CloudFormation stack outputs into a user's .env file (`kms-tui outputs --write-env`).
 * merge.ts is the pure text layer, write.ts the file layer; this is the module's surface.
 */
export {describeEnvChanges, encodeEnvValue, mergeEnvText, writtenByHeader} from './merge.js';
export type {EnvChange, EnvChangeKind, EnvFileErrorCode, EnvMergePlan} from './types.js';
export {EnvFileError} from './types.js';
export {planEnvMerge, readEnvValue, writeEnvMerge} from './write.js';
