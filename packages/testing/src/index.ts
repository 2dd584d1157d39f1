export { errorTexts, expectNoLeak, leakForms, rejection } from './leaks'
export { memoryLogger } from './memory-logger'
