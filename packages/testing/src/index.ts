export { ECHO_PLACES, expectNoEchoLeak, PLANTED, PLANTED_SECRETS, plantedHeaders } from './echo-leaks'
export { errorTexts, expectNoLeak, leakForms, rejection } from './leaks'
export { memoryLogger } from './memory-logger'
