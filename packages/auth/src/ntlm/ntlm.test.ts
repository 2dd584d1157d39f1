import { describe, expect, it } from 'vitest'
import { vector } from '../vectors.test-helper'
import { decodeChallenge, encodeAuthenticate, encodeAvPairs, parseAvPairs } from './messages'
import { ntlm } from './ntlm'
import { ntlmv2Responses, ntowfv2 } from './ntlmv2'

type Inputs = Record<string, string>
const hex = (s: string) => Buffer.from(s, 'hex')

describe('NTLMv2 vectors', () => {
  const v = vector('ntlm-ms-nlmp-4.2.4-ntlmv2')
  const i = v.inputs as Inputs

  it('MS-NLMP section 4.2.4.1.1: NTOWFv2 (domain not upper-cased)', () => {
    expect(ntowfv2(i.password as string, i.user as string, i.domain as string).toString('hex')).toBe(v.expected.NTOWFv2)
  })

  it('MS-NLMP section 4.2.4.2: LMv2 and NTLMv2 responses, session base key', () => {
    const r = ntlmv2Responses({
      responseKey: ntowfv2(i.password as string, i.user as string, i.domain as string),
      serverChallenge: hex(i.server_challenge_hex as string),
      clientChallenge: hex(i.client_challenge_hex as string),
      time: hex(i.time_hex as string),
      targetInfo: hex(i.target_info_av_pairs_hex as string),
    })
    expect(r.ntProofStr.toString('hex')).toBe(v.expected.NTProofStr)
    expect(r.lmChallengeResponse.toString('hex')).toBe(v.expected.LMv2Response)
    expect(r.ntChallengeResponse.toString('hex')).toBe(v.expected.NtChallengeResponse)
    expect(r.sessionBaseKey.toString('hex')).toBe(v.expected.SessionBaseKey)
    expect(r.micRequired).toBe(false)
  })

  it('MS-NLMP section 4.2.4.3: decodes the CHALLENGE_MESSAGE', () => {
    const c = vector('ntlm-ms-nlmp-4.2.4.3-challenge-message')
    const header = (c.inputs as Inputs).www_authenticate as string
    const m = decodeChallenge(Buffer.from(header.split(' ')[1] as string, 'base64'))
    expect(m.targetName).toBe(c.expected.target_name)
    expect(m.flags.toString(16).padStart(8, '0')).toBe('e28a8233')
    expect(m.serverChallenge.toString('hex')).toBe(c.expected.server_challenge_hex)
    expect(m.targetInfo.toString('hex')).toBe(c.expected.target_info_hex)
    expect(m.version?.toString('hex')).toBe(c.expected.version_hex)
    expect(m.raw.toString('hex')).toBe((c.inputs as Inputs).challenge_message_hex)
    expect(encodeAvPairs(parseAvPairs(m.targetInfo)).toString('hex')).toBe(c.expected.target_info_hex)
  })

  it('MS-NLMP section 4.2.4.3: encodes the AUTHENTICATE_MESSAGE byte for byte', () => {
    const a = vector('ntlm-ms-nlmp-4.2.4.3-authenticate-message')
    const e = a.expected as Inputs
    const r = ntlmv2Responses({
      responseKey: ntowfv2(i.password as string, i.user as string, i.domain as string),
      serverChallenge: hex(i.server_challenge_hex as string),
      clientChallenge: hex(i.client_challenge_hex as string),
      time: hex(i.time_hex as string),
      targetInfo: hex(i.target_info_av_pairs_hex as string),
    })
    const bytes = encodeAuthenticate({
      flags: 0xe2888235,
      lmResponse: r.lmChallengeResponse,
      ntResponse: r.ntChallengeResponse,
      domain: e.domain as string,
      user: e.user as string,
      workstation: e.workstation as string,
      // The vector negotiates KEY_EXCH; the encrypted key is copied from it (HTTP auth does not need RC4).
      encryptedRandomSessionKey: hex(e.session_key as string),
      version: hex('0501280a0000000f'),
    })
    expect(bytes.toString('hex')).toBe((a.inputs as Inputs).authenticate_message_hex)
  })

  it('asks for a MIC, sets MsvAvFlags and uses the server time when the target info carries MsvAvTimestamp', () => {
    const time = Buffer.from('0090d336b734c301', 'hex')
    const info = encodeAvPairs([
      [2, Buffer.from('Domain', 'utf16le')],
      [7, time],
    ])
    const r = ntlmv2Responses({
      responseKey: Buffer.alloc(16, 1),
      serverChallenge: Buffer.alloc(8, 2),
      clientChallenge: Buffer.alloc(8, 3),
      time: Buffer.alloc(8),
      targetInfo: info,
    })
    expect(r.micRequired).toBe(true)
    expect(r.lmChallengeResponse).toEqual(Buffer.alloc(24))
    expect(r.ntChallengeResponse.subarray(24, 32)).toEqual(time)
    expect(
      parseAvPairs(r.targetInfo)
        .find(([id]) => id === 6)?.[1]
        .readUInt32LE(0),
    ).toBe(2)
  })
})

describe('ntlm().pinnedDispatcher', () => {
  it('refuses what it cannot pin: a lookup that is not a function, or a connector function in `connect`', async () => {
    const plain = ntlm({ username: 'CORP\\ann', password: 'pw' })
    expect(() => plain.pinnedDispatcher('not a function')).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_INVALID_OPTIONS' }),
    )
    const custom = ntlm({ username: 'CORP\\ann', password: 'pw', connect: () => undefined as never })
    expect(() => custom.pinnedDispatcher(() => undefined)).toThrow(/connector function/)
    const pinned = plain.pinnedDispatcher(() => undefined)
    expect(pinned).not.toBe(plain.dispatcher)
    await plain.close()
    await expect(pinned.request({ origin: 'http://127.0.0.1:1', path: '/', method: 'GET' })).rejects.toThrow(/closed/i)
    await custom.close()
  })
})
