/** What a terminal sends for each key, for stdin.write in screen tests. */
export const keys = {
	enter: '\r',
	escape: '\u001B',
	up: '\u001B[A',
	down: '\u001B[B',
	left: '\u001B[D',
	right: '\u001B[C',
	home: '\u001B[H',
	end: '\u001B[F',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	delete: '\u001B[3~',
	tab: '\t',
	shiftTab: '\u001B[Z',
	backspace: '\u007F',
	ctrlC: '\u0003',
	ctrlD: '\u0004',
} as const;

/** Text as a terminal in bracketed-paste mode sends a paste of it. */
export function bracketedPaste(text: string): string {
	return `\u001B[200~${text}\u001B[201~`;
}
