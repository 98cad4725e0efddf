// Injected into the CommonJS command bundle (scripts/build.mjs): what `import.meta.url` is in the
// ESM sources that use it (source/config.ts finds the package from it).
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
