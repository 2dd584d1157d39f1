import { FieldkitError } from '@fieldkit/core'

/** Every code `@fieldkit/mocks` throws, so editors complete and narrow `err.code`. */
export type MockErrorCode =
  | 'FK_MOCK_AUTH_OPTIONS'
  | 'FK_MOCK_LISTEN'
  | 'FK_MOCK_OPENSSL'
  | 'FK_MOCK_OPTIONS'
  | 'FK_MOCK_REDIS_MISSING'
  | 'FK_MOCK_REDIS_START'

/**
 * Every error `@fieldkit/mocks` throws: a mock built with invalid options (`FK_MOCK_OPTIONS`,
 * `FK_MOCK_AUTH_OPTIONS`), a port it could not listen on (`FK_MOCK_LISTEN`), test certificates openssl could not
 * make (`FK_MOCK_OPENSSL`), a Redis server it could not find or start (`FK_MOCK_REDIS_*`).
 *
 * @example
 * ```ts
 * try { await serve(handlers, { port: 8080 }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_MOCK_LISTEN') console.error(e.hint)
 * }
 * ```
 */
export class MockError extends FieldkitError<MockErrorCode> {
  override name = 'MockError'
}
