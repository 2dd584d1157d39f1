import { createSecretScrubber, FieldkitError } from '@fieldkit/core'
import { describe, expect, it } from 'vitest'
import { expectNoEchoLeak, PLANTED, plantedHeaders } from './echo-leaks'

/** A client that fails with the server's answer in its message, scrubbed or not. */
function client(scrub: boolean) {
  return async (url: string) => {
    const headers = plantedHeaders()
    const res = await fetch(url, { headers })
    const echoed = `${await res.text()} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}`
    const scrubber = createSecretScrubber()
    for (const [name, value] of Object.entries(headers)) scrubber.addHeader(name, value)
    scrubber.add(PLANTED.queryToken)
    throw new FieldkitError({
      code: 'FK_TEST_STATUS',
      message: scrub ? scrubber.scrub(`server answered ${res.status}: ${echoed}`) : `server answered: ${echoed}`,
      hint: 'h',
    })
  }
}

describe('expectNoEchoLeak', () => {
  it('fails on a client that puts the echoed request into its error', async () => {
    await expect(expectNoEchoLeak(client(false))).rejects.toThrow(/echo in body: secret #\d leaked/)
  })

  it('passes a client that scrubs every secret it sent, in every place the server echoes', async () => {
    await expectNoEchoLeak(client(true))
  })

  it('fails when the server received no planted secret (a test that proves nothing)', async () => {
    await expect(expectNoEchoLeak(async () => 'no request made', { places: ['json'] })).rejects.toThrow(
      /received none of the planted secrets/,
    )
  })

  it('finds a leak in the extra texts (log lines)', async () => {
    await expect(
      expectNoEchoLeak((url) => fetch(url, { headers: plantedHeaders() }).then(() => 'ok'), {
        places: ['body'],
        texts: () => [`{"msg":"sent","key":"${PLANTED.apiKey}"}`],
      }),
    ).rejects.toThrow(/leaked/)
  })
})
