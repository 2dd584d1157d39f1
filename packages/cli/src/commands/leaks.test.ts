import { expectNoEchoLeak, PLANTED } from '@fieldkit/testing'
import { describe, it } from 'vitest'
import { runCli } from '../spawn-cli.test-helper'

// The URL's userinfo is what probe sends as a credential (Node's http turns it into Basic); an echoing server hands
// it back in a body, a challenge's realm or x-echo-* headers. The printed report must hold none of it.
const credentials = [PLANTED.password, `${PLANTED.user}:${PLANTED.password}`]
const withUserinfo = (url: string) => {
  const target = new URL(url)
  target.username = PLANTED.user
  target.password = PLANTED.password
  return target.href
}

describe('fieldkit probe against a server that echoes the request', () => {
  it('prints no credential of the URL, as text or --json, in any place the server echoes it', async () => {
    await expectNoEchoLeak(
      async (url, place) => {
        const json = place === 'json' || place === 'token-error'
        const { stdout, stderr } = await runCli([
          ...(json ? ['--json'] : []),
          'probe',
          withUserinfo(url),
          '--tries',
          '1',
        ])
        return `${stdout}\n${stderr}`
      },
      { secrets: credentials, places: ['headers', 'json'] },
    )
  })
})
