/** The shell is as wide as the terminal up to this; wider terminals leave the rest empty. */
export const maxShellWidth = 100;

/** The columns a screen has to lay out in: what tables size their columns from. */
export function shellWidth(terminalColumns: number): number {
	return Math.min(terminalColumns, maxShellWidth);
}
