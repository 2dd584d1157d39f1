import { fieldkitBuild } from '../../tsup.base'

// No rollup tree-shaking pass: it hoists every require() to the top of the CommonJS build, and the entry's first
// module (node-floor.ts) must run before undici loads so that an old Node gets a clear message.
export default fieldkitBuild({ treeshake: false })
