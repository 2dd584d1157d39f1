import { describe, expect, it } from 'vitest'
import { createSecretScrubber, REDACTED } from './secret-scrubber'

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

describe('secret scrubber', () => {
  it('removes a value and its percent, form, base64 and JSON encodings', () => {
    const secret = 'p@ss w/rd"é+'
    const scrubber = createSecretScrubber([secret])
    const echoes = [
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(secret).toLowerCase(),
      encodeURIComponent(secret).replace(/%20/g, '+'),
      b64(secret),
      b64(secret).replace(/=+$/, ''),
      b64(secret).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
      JSON.stringify(secret).slice(1, -1),
    ]
    for (const echo of echoes) expect(scrubber.scrub(`before ${echo} after`)).toBe(`before ${REDACTED} after`)
  })

  it('takes a Basic header apart: the header, user:password and the password alone', () => {
    const scrubber = createSecretScrubber()
    scrubber.addHeader('Authorization', `Basic ${b64('app:SEkr3t-value')}`)
    expect(scrubber.scrub(`{"error_description":"Basic ${b64('app:SEkr3t-value')} is malformed"}`)).not.toContain(
      b64('app:SEkr3t-value'),
    )
    expect(scrubber.scrub('password SEkr3t-value was wrong')).toBe(`password ${REDACTED} was wrong`)
    expect(scrubber.scrub('user app is locked')).toBe('user app is locked')
  })

  it('removes the credential after any scheme, each cookie value and an API-key header a strategy set', () => {
    const scrubber = createSecretScrubber()
    scrubber.addHeader('authorization', 'Token 9f8e7d6c5b4a')
    scrubber.addHeader('cookie', 'session=abcdef123456; theme=dark-mode')
    scrubber.addHeader('x-api-key', 'key-0123456789')
    const echoed = 'Got Authorization: Token 9f8e7d6c5b4a, Cookie: session=abcdef123456, X-Api-Key: key-0123456789'
    const out = scrubber.scrub(echoed)
    for (const secret of ['9f8e7d6c5b4a', 'abcdef123456', 'key-0123456789']) expect(out).not.toContain(secret)
  })

  it('removes both halves of an OAuth 1.0a PLAINTEXT signature and a Digest response', () => {
    const scrubber = createSecretScrubber()
    scrubber.addHeader(
      'Authorization',
      'OAuth oauth_consumer_key="ck", oauth_signature_method="PLAINTEXT", oauth_signature="cs%2Bsecret%26ts-secret"',
    )
    scrubber.addHeader('Authorization', 'Digest username="u", response="6629fae49393a05397450978507c4ef1", nc=00000001')
    const out = scrubber.scrub(
      'signature cs+secret&ts-secret; consumer cs+secret; token ts-secret; 6629fae49393a05397450978507c4ef1',
    )
    expect(out).toBe(`signature ${REDACTED}; consumer ${REDACTED}; token ${REDACTED}; ${REDACTED}`)
  })

  it('scrubs message, hint and nested details of error options, and leaves short values alone', () => {
    const scrubber = createSecretScrubber(['abc', 'long-secret'])
    const scrubbed = scrubber.scrubError({
      message: 'abc long-secret',
      hint: 'try long-secret',
      details: { body: ['x long-secret'], inner: { text: 'long-secret' }, status: 500 },
    })
    expect(scrubbed).toEqual({
      message: `abc ${REDACTED}`,
      hint: `try ${REDACTED}`,
      details: { body: [`x ${REDACTED}`], inner: { text: REDACTED }, status: 500 },
    })
  })

  it('prefers the longest match, so a secret inside another is not half-removed', () => {
    const scrubber = createSecretScrubber(['secret', 'secret-and-more'])
    expect(scrubber.scrub('secret-and-more')).toBe(REDACTED)
  })
})
