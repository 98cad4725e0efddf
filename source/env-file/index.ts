export * from './env-file.js';
export {envValuesFromStack} from './stack-values.js';
