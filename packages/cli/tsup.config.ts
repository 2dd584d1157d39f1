import { fieldkitBuild } from '../../tsup.base'

// The library entry plus the `fieldkit` executable; declarations for the library only.
export default fieldkitBuild({ entry: ['src/index.ts', 'src/bin.ts'], dts: { entry: 'src/index.ts' } })
