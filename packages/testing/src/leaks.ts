import { inspect } from 'node:util'
import { isFieldkitError } from '@fieldkit/core'

/**
 * Every form in which a planted secret could leak: the value, its percent-encoding (both hex cases, `+` for
 * spaces), its base64 (standard, URL-safe, unpadded) and its JSON-escaped form. Pairs such as `user:password` are
 * planted as they are sent (Basic), so their base64 is checked too.
 */
export function leakForms(secret: string): string[] {
  const percent = encodeURIComponent(secret)
  const base64 = Buffer.from(secret, 'utf8').toString('base64')
  return [
    ...new Set([
      secret,
      percent,
      percent.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      percent.replace(/%20/g, '+'),
      base64,
      base64.replace(/=+$/, ''),
      base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
      JSON.stringify(secret).slice(1, -1),
    ]),
  ]
}

/** Every text an error shows a reader: message, hint, details, cause chain, `util.inspect`, `JSON.stringify`. */
export function errorTexts(error: unknown): string[] {
  const texts = [inspect(error, { depth: 8, showHidden: false }), safeJson(error)]
  if (isFieldkitError(error)) texts.push(error.message, error.hint, safeJson(error.details))
  let cause = (error as { cause?: unknown } | null)?.cause
  for (let depth = 0; cause !== undefined && depth < 8; depth++) {
    texts.push(inspect(cause, { depth: 8 }), safeJson(cause))
    cause = (cause as { cause?: unknown } | null)?.cause
  }
  return texts
}

/**
 * Fails when any of `secrets`, in any of its {@link leakForms}, appears in any of `texts` (error texts from
 * {@link errorTexts}, log output, CLI output). The failure names the secret's position and where it leaked, never
 * the whole text.
 *
 * @example
 * ```ts
 * const error = await rejection(client.request({ path: '/echo' }))
 * expectNoLeak(['s3cret-password', 'app:s3cret-password'], [...errorTexts(error), log.raw()])
 * ```
 */
export function expectNoLeak(secrets: readonly string[], texts: readonly string[]): void {
  for (const [i, secret] of secrets.entries()) {
    for (const form of leakForms(secret)) {
      if (form.length < 4) continue
      for (const [j, text] of texts.entries()) {
        const at = text.indexOf(form)
        if (at !== -1) {
          const around = text.slice(Math.max(0, at - 40), at).replace(form, '…')
          throw new Error(
            `secret #${i} leaked (form ${JSON.stringify(form.slice(0, 3))}…) in text #${j} after: ${around}`,
          )
        }
      }
    }
  }
}

/** The error `promise` rejects with, or a failure when it resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; hint?: string; details?: Record<string, unknown> }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string; hint?: string; details?: Record<string, unknown> }
  }
  throw new Error('expected the promise to reject')
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return ''
  }
}
