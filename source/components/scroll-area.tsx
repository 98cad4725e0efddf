import {Box, type DOMElement, measureElement} from 'ink';
import {type ReactNode, useLayoutEffect, useRef, useState} from 'react';

export type ScrollMetrics = {
	/** Rows the content takes, wrapped to the area's width. */
	readonly total: number;
	/** Rows shown: the content's, up to the area's maximum. */
	readonly height: number;
	readonly maxOffset: number;
};

export type ScrollAreaProps = {
	/** At most this many rows; shorter content makes a shorter area. */
	readonly maxHeight: number;
	/** The first row shown, clamped to the content. */
	readonly offset: number;
	readonly onMeasure?: (metrics: ScrollMetrics) => void;
	readonly children: ReactNode;
};

/**
 * A window onto content taller than the rows a screen has. The content is laid out whole (so it
 * wraps to the real width), measured after each layout, and shifted up by the offset; the rows
 * outside the window are clipped.
 */
export function ScrollArea({maxHeight, offset, onMeasure, children}: ScrollAreaProps) {
	const ref = useRef<DOMElement>(null);
	const [total, setTotal] = useState<number | undefined>(undefined);
	// Measured in a layout effect: Ink has laid the tree out by then, and the corrected frame
	// follows at once instead of a turn later (a step's new, taller body is not shown clipped).
	useLayoutEffect(() => {
		if (!ref.current) return;
		const measured = measureElement(ref.current).height;
		setTotal((previous) => (previous === measured ? previous : measured));
	});
	const height = Math.max(1, Math.min(maxHeight, total ?? maxHeight));
	const maxOffset = Math.max(0, (total ?? 0) - height);
	const shown = Math.max(0, Math.min(offset, maxOffset));
	const onMeasureRef = useRef(onMeasure);
	onMeasureRef.current = onMeasure;
	useLayoutEffect(() => {
		if (total !== undefined) onMeasureRef.current?.({total, height, maxOffset});
	}, [total, height, maxOffset]);
	return (
		<Box height={height} overflowY="hidden" flexDirection="column" flexShrink={0}>
			<Box ref={ref} flexShrink={0} flexDirection="column" marginTop={-shown}>
				{children}
			</Box>
		</Box>
	);
}
