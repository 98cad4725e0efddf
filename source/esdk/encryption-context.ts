/**
 * The ESDK encryption context serialization (framework/structures.md, "Serialization"): empty
 * context → no bytes; else a UInt16 pair count, then each pair as UInt16 length + UTF-8 key,
 * UInt16 length + UTF-8 value, sorted by the keys' UTF-8 bytes. Shared by the reader and writer.
 */

/** Serializes `context` (sorted by UTF-8 bytes of the keys, as the spec requires). */
export function serializeEsdkContext(context: Readonly<Record<string, string>>): Buffer {
	const pairs = Object.entries(context).map(
		([key, value]) => [Buffer.from(key, 'utf8'), Buffer.from(value, 'utf8')] as const,
	);
	if (pairs.length === 0) return Buffer.alloc(0);
	if (pairs.length > 0xffff)
		throw new RangeError('an encryption context holds at most 65535 pairs');
	pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
	const parts: Buffer[] = [uint16(pairs.length)];
	for (const [key, value] of pairs) {
		if (key.length > 0xffff || value.length > 0xffff) {
			throw new RangeError('an encryption context key or value is at most 65535 bytes');
		}
		parts.push(uint16(key.length), key, uint16(value.length), value);
	}
	return Buffer.concat(parts);
}

function uint16(value: number): Buffer {
	const out = Buffer.alloc(2);
	out.writeUInt16BE(value, 0);
	return out;
}

const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});

/**
 * Parses serialized pairs (what serializeEsdkContext writes). Returns the pairs in a map without
 * a prototype (a key `__proto__` stays a key), or a reason when the bytes are not a valid
 * context: wrong lengths, a zero count, invalid UTF-8, a duplicate key.
 */
export function parseEsdkContext(
	bytes: Buffer,
): {context: Record<string, string>} | {invalid: string} {
	const context: Record<string, string> = Object.create(null);
	if (bytes.length === 0) return {context};
	if (bytes.length < 2) return {invalid: 'the encryption context is cut short'};
	const count = bytes.readUInt16BE(0);
	if (count === 0) return {invalid: 'the encryption context has a pair count of 0'};
	let at = 2;
	const field = (): string | undefined => {
		if (at + 2 > bytes.length) return undefined;
		const length = bytes.readUInt16BE(at);
		if (at + 2 + length > bytes.length) return undefined;
		const text = utf8.decode(bytes.subarray(at + 2, at + 2 + length));
		at += 2 + length;
		return text;
	};
	try {
		for (let i = 0; i < count; i++) {
			const key = field();
			const value = key === undefined ? undefined : field();
			if (key === undefined || value === undefined) {
				return {invalid: 'the encryption context is shorter than its pair count says'};
			}
			if (Object.hasOwn(context, key)) {
				return {invalid: 'the encryption context holds a key twice'};
			}
			context[key] = value;
		}
	} catch {
		return {invalid: 'the encryption context is not valid UTF-8'};
	}
	if (at !== bytes.length) return {invalid: 'the encryption context is longer than its pairs'};
	return {context};
}
