/**
 * Colour tokens. Every coloured piece of text asks for a token here, so NO_COLOR turns all of
 * them off in one place; meaning never rests on colour alone (each status also has a word or mark).
 */
import {useAppContext} from './use-app-context.js';

const palette = {
	accent: 'cyan',
	success: 'green',
	warning: 'yellow',
	danger: 'red',
	info: 'blue',
} as const;

export type ColorToken = keyof typeof palette;

export function useColor(): (token: ColorToken) => string | undefined {
	const {isColor} = useAppContext();
	return (token) => (isColor ? palette[token] : undefined);
}

/** The colour of a CloudFormation status: green when complete, red when failed or rolling back. */
export function stackStatusToken(status: string): ColorToken {
	if (status.includes('ROLLBACK') || status.endsWith('_FAILED')) return 'danger';
	if (status.endsWith('_IN_PROGRESS')) return 'warning';
	if (status.endsWith('_COMPLETE')) return 'success';
	return 'info';
}
