import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { md4 } from './md4'
import { vector } from './test-helpers'

const run = promisify(execFile)

describe('md4', () => {
  const suite = vector('md4-rfc1320-test-suite')
  const messages = suite.inputs.messages as string[]
  const digests = suite.expected.digests as string[]

  it.each(messages.map((message, i) => [message, digests[i]]))(
    'RFC 1320 appendix A.5: MD4("%s")',
    (message, digest) => {
      expect(md4(Buffer.from(message, 'latin1')).toString('hex')).toBe(digest)
    },
  )

  it('RFC 1320 appendix A.5: the two alphabet messages', () => {
    expect(md4(Buffer.from('abcdefghijklmnopqrstuvwxyz')).toString('hex')).toBe('d79e1c308aa5bbcdeea8ed63df412da9')
    const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    expect(md4(Buffer.from(alnum)).toString('hex')).toBe('043f8582f241db351ce627e153e7f0e4')
  })

  it('gives the NT hash of MS-NLMP section 4.2.2 (NTOWFv1 of "Password")', () => {
    const ntlm = vector('ntlm-ms-nlmp-4.2.2-ntlmv1')
    expect(md4(Buffer.from('Password', 'utf16le')).toString('hex')).toBe(ntlm.expected.NTOWFv1)
  })

  it('agrees with the OpenSSL legacy MD4 around the 56- and 64-byte padding boundaries', async () => {
    const samples = fc.sample(fc.uint8Array({ minLength: 50, maxLength: 140 }), { numRuns: 12, seed: 42 })
    const script = `const c=require('crypto');for(const h of process.argv.slice(1))console.log(c.createHash('md4').update(Buffer.from(h,'hex')).digest('hex'))`
    const hex = samples.map((bytes) => Buffer.from(bytes).toString('hex'))
    const { stdout } = await run(process.execPath, ['--openssl-legacy-provider', '-e', script, ...hex])
    expect(samples.map((bytes) => md4(bytes).toString('hex'))).toEqual(stdout.trim().split('\n'))
  })
})
