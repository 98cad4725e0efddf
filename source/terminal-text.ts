/**
 * Untrusted text on a terminal. Anything that came from outside kms-tui — an envelope's header
 * (file names, encryption context, key ARNs), an AWS error message, a stack event's reason, a
 * file name on disk — may hold bytes a terminal acts on: ESC sequences that clear the screen or
 * set the window title, C1 controls (U+0080–U+009F, which some terminals take as ESC [), bidi
 * overrides that make `txt.exe` read as `exe.txt`, line/paragraph separators, a BOM.
 *
 * `terminalSafe()` is applied at the point of display (CLI output and TUI text alike); it turns
 * each such character into a visible `\u{…}` escape, so what is shown is still what is there.
 * Dependency-free so the CLI's error reporting and the TUI can both import it cheaply.
 */

/**
 * C0 controls except tab and newline, DEL, C1 controls, the bidi embeddings/overrides/isolates
 * and marks, zero-width joiners and spaces, line and paragraph separators, the BOM / zero-width
 * no-break space, interlinear annotation marks and the replacement-object characters.
 */
const unsafeInText =
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we escape
	/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/gu;

/** The same set plus tab and newline: for one-line values (names, context values, ARNs). */
const unsafeInLine =
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we escape
	/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/gu;

function escapeCharacter(character: string): string {
	const code = character.codePointAt(0) ?? 0;
	if (code === 0x0a) return '\\n';
	if (code === 0x09) return '\\t';
	if (code === 0x0d) return '\\r';
	if (code === 0x1b) return '\\e';
	return `\\u{${code.toString(16).padStart(4, '0')}}`;
}

/** Untrusted multi-line text (an error message, a stack event reason): keeps tabs and newlines. */
export function terminalSafe(text: string): string {
	return text.replace(unsafeInText, escapeCharacter);
}

/** Untrusted one-line value (a file name, a context value, a key ARN): escapes newlines too. */
export function terminalSafeLine(text: string): string {
	return text.replace(unsafeInLine, escapeCharacter);
}

/** True when the value holds a character terminalSafeLine() would escape. */
export function hasUnsafeCharacters(text: string): boolean {
	unsafeInLine.lastIndex = 0;
	const found = unsafeInLine.test(text);
	unsafeInLine.lastIndex = 0;
	return found;
}
