/**
 * awsQuery responses: `<XResponse xmlns=…><XResult>…</XResult><ResponseMetadata>…`. Results are
 * built as plain objects and rendered generically: arrays become `<member>` lists, numbers that
 * are timestamps are passed in already formatted (see `iso`), and every text is escaped.
 */
export const cfnNamespace = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export function escapeXml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;')
		.replace(/\r/g, '&#13;');
}

/** ISO-8601 UTC, the timestamp format of the Query protocol. */
export function iso(ms: number): string {
	return new Date(ms).toISOString();
}

function renderValue(value: unknown): string {
	if (Array.isArray(value)) {
		return value.map((item) => `<member>${renderValue(item)}</member>`).join('');
	}
	if (typeof value === 'object' && value !== null) {
		return renderFields(value as Record<string, unknown>);
	}
	return escapeXml(String(value));
}

function renderFields(fields: Record<string, unknown>): string {
	let out = '';
	for (const [name, value] of Object.entries(fields)) {
		if (value === undefined || value === null) {
			continue;
		}
		out += `<${name}>${renderValue(value)}</${name}>`;
	}
	return out;
}

/** `result` undefined → an action with no output shape (DeleteStack): no Result element at all. */
export function renderResponse(
	action: string,
	requestId: string,
	result: Record<string, unknown> | undefined,
): string {
	const body =
		result === undefined ? '' : `<${action}Result>${renderFields(result)}</${action}Result>`;
	return (
		`<${action}Response xmlns="${cfnNamespace}">${body}` +
		`<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
	);
}
