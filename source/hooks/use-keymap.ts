/**
 * Input dispatch. The shell owns the ONLY key listener that handles shortcuts; the top screen
 * registers the handlers it wants right now with useKeymap(). A key goes to the screen's
 * binding first, then to a global one (quit, help, back), so a screen can take over `esc`
 * (e.g. to cancel a deployment) by registering `cancel`. Text fields (LineInput) listen to the
 * same key stream; while a screen says a field has focus, keys the field owns are skipped here.
 *
 * Keys come one by one from source/input/keypress.ts, each to the handlers registered at that
 * moment: layers are added in layout effects and read through refs, so the second key of a burst
 * reaches the screen the first one opened, with the state the first one left.
 */
import {
	createContext,
	createElement,
	type ReactNode,
	useCallback,
	useContext,
	useLayoutEffect,
	useMemo,
	useRef,
	useState,
} from 'react';
import {useKeypress} from '../input/keypress.js';
import {isTypingKey, type KeyPress, matchesKey} from '../key-press.js';
import {type Binding, type BindingId, bindings} from '../keymap.js';

export type Handlers = Partial<Record<BindingId, () => void>>;

type Layer = {
	readonly handlers: {current: Handlers};
	readonly ids: readonly BindingId[];
	readonly isTextFocused: boolean;
};

type KeymapApi = {
	readonly add: (layer: Layer) => () => void;
	/** The ids the top layer handles and whether a text field has focus (for the help bar). */
	readonly active: {readonly ids: readonly BindingId[]; readonly isTextFocused: boolean};
};

const KeymapContext = createContext<KeymapApi | undefined>(undefined);

function useKeymapApi(): KeymapApi {
	const api = useContext(KeymapContext);
	if (!api) throw new Error('useKeymap must be used inside <KeymapProvider>');
	return api;
}

export type GlobalHandlers = {
	readonly onQuit: () => void;
	readonly onBack: () => void;
	readonly onHelp: () => void;
	/** Arrows and PgUp/PgDn while the `?` overlay is open: it scrolls when taller than the screen. */
	readonly onHelpScroll?: (move: HelpScroll) => void;
	readonly isHelpOpen: boolean;
};

export type HelpScroll = 'up' | 'down' | 'page-up' | 'page-down';

/** Picks the binding for a key press; exported for tests and the help overlay. */
export function resolveBinding(
	input: string,
	key: KeyPress,
	screenIds: ReadonlySet<BindingId>,
	options: {isReadOnly: boolean; isTextFocused: boolean},
): Binding | undefined {
	if (options.isTextFocused && isTypingKey(input, key)) return undefined;
	const candidates = (bindings as readonly Binding[]).filter(
		(binding) =>
			!(options.isReadOnly && binding.isDangerous) &&
			binding.keys.some((spec) => matchesKey(spec, input, key)),
	);
	return (
		candidates.find((binding) => binding.scope !== 'global' && screenIds.has(binding.id)) ??
		candidates.find((binding) => binding.scope === 'global')
	);
}

export function KeymapProvider({
	children,
	isReadOnly,
	global,
}: {
	readonly children: ReactNode;
	readonly isReadOnly: boolean;
	readonly global: GlobalHandlers;
}) {
	const layersRef = useRef<Layer[]>([]);
	const [active, setActive] = useState<KeymapApi['active']>({ids: [], isTextFocused: false});
	const globalRef = useRef(global);
	globalRef.current = global;

	const publish = useCallback(() => {
		const top = layersRef.current.at(-1);
		const ids = top?.ids ?? [];
		const isTextFocused = top?.isTextFocused ?? false;
		// The same bindings again (a screen re-registering as it re-renders) change nothing, so
		// nothing that reads them renders again.
		setActive((previous) =>
			previous.isTextFocused === isTextFocused &&
			previous.ids.length === ids.length &&
			previous.ids.every((id, index) => id === ids[index])
				? previous
				: {ids, isTextFocused},
		);
	}, []);

	const add = useCallback(
		(layer: Layer) => {
			layersRef.current = [...layersRef.current, layer];
			publish();
			return () => {
				layersRef.current = layersRef.current.filter((candidate) => candidate !== layer);
				publish();
			};
		},
		[publish],
	);

	useKeypress((input, key) => {
		const top = layersRef.current.at(-1);
		const handlers = globalRef.current;
		if (handlers.isHelpOpen) {
			// The overlay is modal: it closes with ? or esc; q still quits; arrows and pages scroll it.
			// Ctrl+C does what the overlay says it does: closes it and cancels what is open
			// underneath, or quits when there is nothing to cancel.
			if (key.escape || matchesKey('?', input, key)) handlers.onHelp();
			else if (matchesKey('q', input, key)) handlers.onQuit();
			else if (matchesKey('ctrl+c', input, key)) {
				const cancel = top?.handlers.current.cancel;
				if (!cancel) handlers.onQuit();
				else {
					handlers.onHelp();
					cancel();
				}
			} else if (key.upArrow) handlers.onHelpScroll?.('up');
			else if (key.downArrow) handlers.onHelpScroll?.('down');
			else if (key.pageUp) handlers.onHelpScroll?.('page-up');
			else if (key.pageDown) handlers.onHelpScroll?.('page-down');
			return true;
		}
		const binding = resolveBinding(input, key, new Set(top?.ids ?? []), {
			isReadOnly,
			isTextFocused: top?.isTextFocused ?? false,
		});
		if (!binding) return false;
		const screenHandler = top?.handlers.current[binding.id];
		if (binding.scope !== 'global' && screenHandler) {
			screenHandler();
			return true;
		}
		if (binding.id === 'quit') handlers.onQuit();
		else if (binding.id === 'help') handlers.onHelp();
		else if (binding.id === 'back') handlers.onBack();
		return true;
	});

	const api = useMemo(() => ({add, active}), [add, active]);
	return createElement(KeymapContext.Provider, {value: api}, children);
}

/**
 * Registers the handlers of the calling screen (or dialog) while it is active. Pass only the
 * bindings that make sense now: the help bar shows exactly those, plus the global ones.
 */
export function useKeymap(
	handlers: Handlers,
	options: {readonly isActive?: boolean; readonly isTextFocused?: boolean} = {},
): void {
	const {add} = useKeymapApi();
	const handlersRef = useRef(handlers);
	useLayoutEffect(() => {
		handlersRef.current = handlers;
	});
	const isActive = options.isActive ?? true;
	const isTextFocused = options.isTextFocused ?? false;
	const key = (Object.keys(handlers) as BindingId[])
		.filter((id) => handlers[id])
		.sort()
		.join(',');
	useLayoutEffect(() => {
		if (!isActive) return;
		const ids = key === '' ? [] : (key.split(',') as BindingId[]);
		return add({handlers: handlersRef, ids, isTextFocused});
	}, [add, key, isActive, isTextFocused]);
}

/** What the help bar and overlay show: the top layer's bindings and the text-focus flag. */
export function useActiveKeys(): KeymapApi['active'] {
	return useKeymapApi().active;
}
