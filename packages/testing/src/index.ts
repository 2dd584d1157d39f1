export { ECHO_PLACES, expectNoEchoLeak, PLANTED, PLANTED_SECRETS, plantedHeaders } from './echo-leaks'
export { type HeapBaseline, type HeapSample, type HeapTrend, heapAfterGc, heapBaseline, heapTrend } from './heap-trend'
export { errorTexts, expectNoLeak, leakForms, rejection } from './leaks'
export { memoryLogger } from './memory-logger'
