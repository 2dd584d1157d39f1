import { fieldkitBuild } from '../../tsup.base'

export default fieldkitBuild()
