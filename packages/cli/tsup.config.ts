import { fieldkitBuild } from '../../tsup.base'

// The library entry plus the `fieldkit` executable; declarations for the library only. Split into chunks so that the
// demo and `mock serve`, loaded with import() on first use, bring in @fieldkit/mocks (an optional peer) only then.
export default fieldkitBuild({ entry: ['src/index.ts', 'src/bin.ts'], dts: { entry: 'src/index.ts' }, splitting: true })
