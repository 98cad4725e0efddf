/**
 * Shapes the TUI shows that carry text from outside kms-tui (CloudFormation events quote AWS
 * errors and template values), escaped for the terminal in one place per shape. Components call
 * these where they render, so what reaches the terminal never holds an ESC, a C1 control or a
 * bidi override (terminal-text.ts).
 */
import type {StackEvent} from '../service/index.js';
import {terminalSafe, terminalSafeLine} from '../terminal-text.js';

export function shownEvent(event: StackEvent): StackEvent {
	return {
		...event,
		logicalId: terminalSafeLine(event.logicalId),
		resourceType: terminalSafeLine(event.resourceType),
		status: terminalSafeLine(event.status),
		reason: event.reason === undefined ? undefined : terminalSafe(event.reason),
	};
}
