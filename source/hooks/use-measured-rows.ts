import {type DOMElement, measureElement} from 'ink';
import {type RefObject, useLayoutEffect, useRef, useState} from 'react';

/**
 * The rows a box took in the last layout (a line that wraps on a narrow terminal takes two), for
 * fitting what is below it into the rows left. `initial` stands in until the first layout.
 */
export function useMeasuredRows(initial: number): [RefObject<DOMElement | null>, number] {
	const ref = useRef<DOMElement>(null);
	const [rows, setRows] = useState(initial);
	// After Ink's layout of this commit, so the corrected frame follows at once.
	useLayoutEffect(() => {
		if (!ref.current) return;
		const measured = measureElement(ref.current).height;
		setRows((previous) => (previous === measured ? previous : measured));
	});
	return [ref, rows];
}
