/**
 * The header's two parts, shared by the boot frame (source/tui.tsx) and the app's Header, which
 * must say the same thing: the badge, and the target line without its "target:" and kind words.
 */
import type {TargetKind} from '../hooks/use-app-context.js';

export const targetBadges: Record<TargetKind, string> = {
	sandbox: 'SANDBOX',
	aws: 'AWS',
	endpoint: 'ENDPOINT',
};

/** "target: SANDBOX (local, not AWS) us-east-1, state in …" → "(local, not AWS) us-east-1, state in …" */
export function targetDetail(targetLine: string): string {
	return targetLine.replace(/^target:\s*/, '').replace(/^(SANDBOX|AWS|endpoint)\s*/, '');
}
