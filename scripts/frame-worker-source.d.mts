export declare const FRAME_WORKER_MODULE: 'virtual:kms-tui-frame-worker';
export declare function frameWorkerSource(): Promise<string>;
export declare function frameWorkerModule(): Promise<string>;
