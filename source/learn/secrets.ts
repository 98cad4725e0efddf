/**
 * The only place a lesson keeps plaintext data keys between steps: Buffers in a Map held by a
 * ref, never in React state, on screen (masks and fingerprints only) or in a file. `wipeAll`
 * zeroes every one; the screen calls it when the lesson closes, restarts or finishes.
 */
export class SecretBox {
	private readonly keys = new Map<string, Buffer>();

	/** Keeps `key` (the box owns it now); a key already under `name` is zeroed first. */
	set(name: string, key: Buffer): void {
		this.wipe(name);
		this.keys.set(name, key);
	}

	get(name: string): Buffer | undefined {
		return this.keys.get(name);
	}

	/** Zeroes and forgets the key under `name`; returns the zeroed Buffer (to show it is zeros). */
	wipe(name: string): Buffer | undefined {
		const key = this.keys.get(name);
		key?.fill(0);
		this.keys.delete(name);
		return key;
	}

	wipeAll(): void {
		for (const name of [...this.keys.keys()]) this.wipe(name);
	}
}
