/**
 * Scrolling for a ScrollArea driven by keys: the offset moves by functional updates (a burst of
 * ↓ counts every key) and stays within the content, which the area reports after each layout.
 */
import {useEffect, useRef, useState} from 'react';
import type {ScrollMetrics} from '../components/scroll-area.js';

export type Scroll = {
	/** Rows for the area: a scrolling one leaves one of the rows it was given to `position`. */
	readonly maxRows: number;
	readonly offset: number;
	readonly onMeasure: (metrics: ScrollMetrics) => void;
	readonly isScrolling: boolean;
	readonly up: () => void;
	readonly down: () => void;
	/** "rows 3–10 of 14 · ↑↓ scroll" while the content does not fit, else undefined. */
	readonly position?: string;
};

/** `rows` is what the area and its position line may take; a new `resetKey` scrolls to the top. */
export function useScroll(rows: number, resetKey: unknown): Scroll {
	const [offset, setOffset] = useState(0);
	const [metrics, setMetrics] = useState<ScrollMetrics | undefined>(undefined);
	const maxOffset = useRef(0);
	// biome-ignore lint/correctness/useExhaustiveDependencies: resetKey is the trigger itself.
	useEffect(() => setOffset(0), [resetKey]);
	// Decided from the content's height alone, so that no frame is a row too tall while the
	// area settles: all of it in `rows`, or `rows - 1` of it and the position line.
	const isScrolling = metrics !== undefined && metrics.total > rows;
	const maxRows = Math.max(1, rows - (isScrolling ? 1 : 0));
	const move = (delta: number) =>
		setOffset((current) => Math.max(0, Math.min(maxOffset.current, current + delta)));
	const last = metrics ? Math.max(0, metrics.total - maxRows) : 0;
	const first = Math.min(offset, last);
	return {
		maxRows,
		offset,
		onMeasure: (measured) => {
			maxOffset.current = measured.maxOffset;
			setMetrics(measured);
		},
		isScrolling,
		up: () => move(-1),
		down: () => move(1),
		position:
			isScrolling && metrics
				? `rows ${first + 1}–${first + maxRows} of ${metrics.total} · ↑↓ scroll`
				: undefined,
	};
}
