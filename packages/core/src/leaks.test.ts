import { errorTexts, expectNoLeak, leakForms, PLANTED, PLANTED_SECRETS, plantedHeaders } from '@fieldkit/testing'
import { describe, expect, it } from 'vitest'
import { FieldkitError } from './errors'
import { expected } from './expected'
import { createSecretScrubber } from './secret-scrubber'

// The user name is not a secret (it is logged everywhere); everything else planted is.
const SECRETS = PLANTED_SECRETS.filter((secret) => secret !== PLANTED.user)

/** What a hostile or debug-mode server says back: every planted secret, in every encoding it may be echoed in. */
function echoOfEverything(): string {
  const headers = Object.entries(plantedHeaders()).map(([name, value]) => `${name}: ${value}`)
  return [...headers, ...SECRETS.flatMap(leakForms)].join('\n')
}

describe('core leak rules, with the shared planted secrets', () => {
  it('an error built through the scrubber from an echo of every secret carries none of them, in any text', () => {
    const scrubber = createSecretScrubber()
    for (const [name, value] of Object.entries(plantedHeaders())) scrubber.addHeader(name, value)
    scrubber.add(PLANTED.bearer)
    scrubber.add(PLANTED.queryToken)
    const echo = echoOfEverything()
    const error = new FieldkitError(
      scrubber.scrubError({
        code: 'FK_HTTP_STATUS',
        message: `The server answered 500: ${echo}`,
        hint: `It said: ${echo}`,
        details: { bodyExcerpt: echo, nested: [{ headers: echo }] },
      }),
    )
    expectNoLeak(SECRETS, errorTexts(error))
  })

  it('a cause that carries the input (a URL with a password) keeps none of it: message, inspect, JSON', () => {
    let cause: unknown
    try {
      new URL(`http://${PLANTED.user}:${PLANTED.password}@[::1`)
    } catch (error) {
      cause = error
    }
    expect((cause as { input?: string }).input).toContain(PLANTED.password)
    const error = new FieldkitError({
      code: 'FK_X_INVALID',
      message: 'The URL is not valid.',
      hint: 'Check it.',
      cause,
    })
    expectNoLeak([PLANTED.password], errorTexts(error))
  })

  it('expected(…, { secret: true }) describes a secret option by its shape, never its value', () => {
    const message = expected('password', 'a string of at least 8 characters', PLANTED.password.slice(0, 7), {
      secret: true,
    })
    const error = new FieldkitError({ code: 'FK_X_OPTIONS', message, hint: 'Pass the password from the vault.' })
    expectNoLeak([PLANTED.password.slice(0, 7)], errorTexts(error))
  })
})
