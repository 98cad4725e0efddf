/**
 * The @inkjs/ui theme under NO_COLOR: the components we use keep their layout but lose their
 * colours (our own text gets its colours from useColor(), which is off then too).
 */
import {defaultTheme, extendTheme, type Theme} from '@inkjs/ui';

export const monochromeTheme: Theme = extendTheme(defaultTheme, {
	components: {
		Spinner: {
			styles: {
				container: () => ({gap: 1}),
				frame: () => ({}),
				label: () => ({}),
			},
		},
	},
});
