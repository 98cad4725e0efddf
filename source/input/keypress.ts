/**
 * The ONE reader of the terminal's keys. Ink reads stdin (and owns raw mode); this provider takes
 * what Ink reads through a single listener, splits it into key events (key-events.ts) and hands
 * every event, in order, to the listeners registered at that moment.
 *
 * Why not ink's useInput: each useInput subscribes its handler in a passive effect that is redone
 * after every render, so the keys of one chunk all reached the handler of the render before them
 * (`↓↓↓` moved one row), and a run of plain bytes (`kkk`, three Backspaces) arrived as one string
 * that matched no binding.
 *
 * Here a listener's handler is a ref updated at every commit and listeners register in layout
 * effects. React renders asynchronously, so after a key that some listener acted on, the next key
 * waits until that key's updates are committed and their effects have run: `c` then `alias/x` in
 * one read opens the create field and types into it, and Enter after `7` submits 7. Keys nobody
 * acted on do not wait, nor does typing into a field (it edits its own line in place); the first
 * key after typing that is not an edit (Enter, ctrl+d) waits, so it acts on the text as typed.
 * Handlers still act on the value they are given (reducers, functional updates, refs).
 */
import {useStdin} from 'ink';
import {
	createContext,
	createElement,
	type ReactNode,
	useCallback,
	useContext,
	useEffect,
	useLayoutEffect,
	useMemo,
	useRef,
	useState,
} from 'react';
import {isTypingKey} from '../key-press.js';
import {createKeyParser, type KeyEvent} from './key-events.js';

/** A key a text field applies to its own line: text, a paste, Backspace/Delete, ←/→/Home/End. */
function isEditKey({input, key}: KeyEvent): boolean {
	return isTypingKey(input, key) && !key.return;
}

/**
 * Says what it did with the key: false (not for it), true (acted: the next key waits until this
 * one's updates are committed), or 'in-place' (acted on state it keeps in a ref, e.g. a text
 * field's line, in a way that cannot change who gets the next key: no need to wait, so a long
 * paste into a field is one render, not one per character).
 */
export type KeyHandler = (input: string, key: KeyEvent['key']) => boolean | 'in-place';

type Listener = {readonly handler: {current: KeyHandler}};

type KeypressApi = {readonly add: (listener: Listener) => () => void};

const KeypressContext = createContext<KeypressApi | undefined>(undefined);

/**
 * How long a lone ESC waits for the rest of a sequence cut between two reads. Ink already waits
 * one turn of the event loop; this covers a slow link (ssh, a loaded machine) at the price of
 * Esc answering 50 ms later.
 */
export const escapeTimeoutMs = 50;

/**
 * Reads keys for everything under it. A provider inside another one defers to it, so the app
 * can be rendered on its own (tests) or under the boot screen with one reader either way.
 */
export function KeypressProvider({children}: {readonly children: ReactNode}) {
	const parent = useContext(KeypressContext);
	const {internal_eventEmitter: emitter, setRawMode, isRawModeSupported} = useStdin();
	const listeners = useRef<Listener[]>([]);
	const queue = useRef<KeyEvent[]>([]);
	/** The commit the next key waits for (this provider's turn number), if any. */
	const awaited = useRef<number | undefined>(undefined);
	const turnRef = useRef(0);
	const [turn, setTurn] = useState(0);

	/** Keys were edited in place since the last commit (see KeyHandler). */
	const isEditedInPlace = useRef(false);

	const drain = useCallback(() => {
		const awaitCommit = () => {
			// Re-render this provider in the same batch as the handlers' updates: its effect runs
			// once they are committed (children's effects run first). Ink hands over the keys of
			// one read one by one, so the next may come any moment.
			turnRef.current += 1;
			awaited.current = turnRef.current;
			setTurn(turnRef.current);
		};
		while (awaited.current === undefined) {
			const event = queue.current[0];
			if (!event) return;
			// More typing goes on at once; anything else (Enter, Tab, a shortcut) waits until the
			// typed text is committed, so that it acts on the text as typed.
			if (isEditedInPlace.current && !isEditKey(event)) {
				isEditedInPlace.current = false;
				awaitCommit();
				return;
			}
			queue.current.shift();
			let result: boolean | 'in-place' = false;
			// The listeners of this moment: the previous key may have mounted or unmounted some.
			for (const listener of listeners.current) {
				const said = listener.handler.current(event.input, event.key);
				if (said === true || (said === 'in-place' && result === false)) result = said;
			}
			if (result === true) awaitCommit();
			else if (result === 'in-place') isEditedInPlace.current = true;
		}
	}, []);

	// A passive effect, run after those of the whole tree for the same commit: the next key sees
	// what the previous one changed, measured and registered. Not called from inside React's own
	// call stack (effects flushed at the start of a render), hence the microtask.
	useEffect(() => {
		if (awaited.current === undefined || turn < awaited.current) return;
		awaited.current = undefined;
		isEditedInPlace.current = false;
		queueMicrotask(drain);
	}, [turn, drain]);

	const api = useMemo<KeypressApi>(
		() => ({
			add(listener) {
				listeners.current = [...listeners.current, listener];
				return () => {
					listeners.current = listeners.current.filter((candidate) => candidate !== listener);
				};
			},
		}),
		[],
	);

	// A layout effect: subscribed in the commit that draws the first frame, so no key written
	// after that frame is missed.
	useLayoutEffect(() => {
		if (parent) return;
		// Ink's own useInput listens here too; ink is pinned (package.json), and a version that
		// drops it should fail loudly rather than leave the app deaf to keys.
		if (!emitter) throw new Error('ink no longer provides internal_eventEmitter: see keypress.ts');
		const parser = createKeyParser();
		let timer: NodeJS.Timeout | undefined;
		const deliver = (events: readonly KeyEvent[]) => {
			queue.current.push(...events);
			drain();
		};
		const onInput = (data: string) => {
			clearTimeout(timer);
			deliver(parser.push(data));
			if (parser.hasPending()) timer = setTimeout(() => deliver(parser.flush()), escapeTimeoutMs);
		};
		if (isRawModeSupported) setRawMode(true);
		emitter.on('input', onInput);
		return () => {
			clearTimeout(timer);
			emitter.off('input', onInput);
			queue.current = [];
			if (isRawModeSupported) setRawMode(false);
		};
	}, [parent, emitter, setRawMode, isRawModeSupported, drain]);

	return createElement(KeypressContext.Provider, {value: parent ?? api}, children);
}

/**
 * Calls `handler` for every key while `isActive`. The handler may be a new closure each render:
 * the latest committed one is called.
 */
export function useKeypress(
	handler: KeyHandler,
	options: {readonly isActive?: boolean} = {},
): void {
	const api = useContext(KeypressContext);
	if (!api) throw new Error('useKeypress must be used inside <KeypressProvider>');
	const handlerRef = useRef(handler);
	useLayoutEffect(() => {
		handlerRef.current = handler;
	});
	const isActive = options.isActive ?? true;
	useLayoutEffect(() => {
		if (!isActive) return;
		return api.add({handler: handlerRef});
	}, [api, isActive]);
}
