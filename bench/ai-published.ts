// The entry `bench/ai` bundles as published (`importPublished`): the guard and the redactor it is measured against,
// from one bundle, so both are the code users install rather than sources through tsx's per-import getters.
export { createModelGuard } from '../packages/ai/src/index'
export { createRedactor } from '../packages/redact/src/index'
