import { createRequire } from 'node:module'
import { requireOptionalPeer } from '@fieldkit/core'
import { redactValue } from './object'
import { engineOf, type Redactor } from './redactor'

const localRequire = createRequire(import.meta.url)

/** pino is an optional peer: loaded when {@link pinoRedaction} is called, never by importing the package. */
function loadPino(): typeof import('pino').pino {
  return requireOptionalPeer(() => localRequire('pino') as typeof import('pino'), {
    name: 'pino',
    range: '^9 || ^10',
    pkg: 'redact',
    feature: 'pinoRedaction()',
  }).pino
}

/**
 * The part of pino's options {@link pinoRedaction} fills in; spread it into `pino({...})`. Written without pino's
 * types (`this` is the pino logger), so these types compile where pino, an optional peer, is not installed.
 */
export interface PinoRedactionOptions {
  hooks: { logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void, level: number): void }
  formatters: { bindings(bindings: Record<string, unknown>): Record<string, unknown> }
  serializers: Record<'req' | 'res' | 'err' | 'error', (value: unknown) => unknown>
}

const SERIALISED = new Set(['req', 'res'])

/**
 * Options for a pino logger that redact every line: the merging object (deep, by key paths and by value), the
 * message and its format arguments, child bindings, errors with their `cause` chain, and HTTP `req`/`res` objects
 * (serialised by pino's standard serialisers first, so headers such as `authorization` and `cookie` and the URL's
 * query are redacted in what is written, not in a walk of the socket).
 *
 * @example
 * ```ts
 * const redactor = createRedactor({ keys: ['user.password', '**.token'] })
 * const logger = pino({ ...pinoRedaction(redactor) })
 * logger.info({ user: { email: 'ann@example.com', password: 'x' } }, 'signed in from 10.1.2.3')
 * ```
 */
export function pinoRedaction(redactor: Redactor): PinoRedactionOptions {
  const { stdSerializers } = loadPino()
  const engine = engineOf(redactor)
  const deep = (value: unknown): unknown => redactValue(engine, value, undefined, undefined, undefined, true)
  // pino's standard serialisers turn a live request, response or error into plain data first; plain objects
  // logged under those keys are redacted as they are.
  const serialiser =
    (key: string, base: (value: never) => unknown, live: (value: object) => boolean) =>
    (value: unknown): unknown =>
      redactValue(
        engine,
        value !== null && typeof value === 'object' && live(value) ? base(value as never) : value,
        undefined,
        undefined,
        key,
        true,
      )
  return {
    hooks: {
      logMethod(args, method) {
        const out = new Array<unknown>(args.length)
        for (let i = 0; i < args.length; i++) {
          const a = args[i]
          if (typeof a === 'string') out[i] = engine.text(a, undefined, undefined)
          else if (a !== null && typeof a === 'object')
            out[i] = redactValue(engine, a, undefined, i === 0 ? SERIALISED : undefined, undefined, true)
          else out[i] = a
        }
        method.apply(this, out)
      },
    },
    formatters: { bindings: (bindings) => deep(bindings) as Record<string, unknown> },
    serializers: {
      req: serialiser('req', stdSerializers.req, (v) => 'socket' in v && 'headers' in v),
      res: serialiser(
        'res',
        stdSerializers.res,
        (v) => typeof (v as { getHeaders?: unknown }).getHeaders === 'function',
      ),
      err: serialiser('err', stdSerializers.err, (v) => v instanceof Error),
      error: serialiser('error', stdSerializers.err, (v) => v instanceof Error),
    },
  }
}
