/**
 * cipher.update() returns a fresh Buffer for every slice, so a GiB of data is a GiB of short-
 * lived Buffers. V8 collects them only once external memory has grown by tens of MiB, which
 * is what held peak RSS at ~116 MiB on a 1 GiB file. A young-generation collection every few
 * MiB frees them as they die (measured on 1 GiB: peak RSS 116 → 88 MiB, time within noise).
 *
 * The collector is exposed by the launcher (bin/kms-tui starts Node with `--expose-gc`; worker
 * threads inherit it). It is never switched on at run time: V8 flags changed after start-up are
 * unsupported (Node warns that they may crash). Without the flag — `node dist/cli.js`, the tests —
 * the loops run the same, with a higher peak RSS.
 */
type Collect = (options?: {type?: 'minor' | 'major'}) => void;

const collect = (globalThis as {gc?: Collect}).gc;

export function collectShortLivedBuffers(): void {
	collect?.({type: 'minor'});
}
