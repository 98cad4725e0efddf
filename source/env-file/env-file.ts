/**
 * Merging CloudFormation stack outputs into a user's .env file (`kms-tui outputs --write-env`).
 * merge.ts is the pure text layer, read.ts and write.ts the file layer; this is the surface.
 */
export {describeEnvChanges, encodeEnvValue, mergeEnvText, writtenByHeader} from './merge.js';
export {readEnvValue, readEnvValues} from './read.js';
export type {EnvChange, EnvChangeKind, EnvFileErrorCode, EnvMergePlan} from './types.js';
export {EnvFileError} from './types.js';
export {planEnvMerge, writeEnvMerge} from './write.js';
