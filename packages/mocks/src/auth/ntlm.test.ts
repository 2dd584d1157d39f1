import { createHmac } from 'node:crypto'
import { Agent, request as httpRequest } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { md4 } from './md4'
import { ntlmAuth, ntowfv2, verifyAuthenticate } from './ntlm'
import { readAuthenticate, readAvPairs, writeChallenge } from './ntlm-messages'
import { curl, vector } from './test-helpers'

const hex = (s: unknown) => Buffer.from(s as string, 'hex')
const hmac = (key: Buffer, ...data: Buffer[]) => data.reduce((m, d) => m.update(d), createHmac('md5', key)).digest()

describe('NTLM computations match MS-NLMP section 4.2.4', () => {
  const v2 = vector('ntlm-ms-nlmp-4.2.4-ntlmv2')
  const i = v2.inputs as Record<string, string>

  it('MS-NLMP 4.2.4.1.1: NTOWFv2 with the domain not upper-cased', () => {
    expect(ntowfv2(i.password as string, i.user as string, i.domain as string).toString('hex')).toBe(
      v2.expected.NTOWFv2,
    )
  })

  it('MS-NLMP 4.2.4.2.2: NTProofStr and SessionBaseKey over the temp blob', () => {
    const key = ntowfv2('Password', 'User', 'Domain')
    const proof = hmac(key, hex(i.server_challenge_hex), hex(v2.expected.temp))
    expect(proof.toString('hex')).toBe(v2.expected.NTProofStr)
    expect(hmac(key, proof).toString('hex')).toBe(v2.expected.SessionBaseKey)
  })

  it('MS-NLMP 4.2.4.3: writes the CHALLENGE_MESSAGE bytes exactly', () => {
    const c = vector('ntlm-ms-nlmp-4.2.4.3-challenge-message')
    const e = c.expected as Record<string, string>
    const bytes = writeChallenge({
      flags: hex(e.negotiate_flags_hex).readUInt32BE(0),
      serverChallenge: hex(e.server_challenge_hex),
      targetName: Buffer.from('Server', 'utf16le'),
      targetInfo: hex(e.target_info_hex),
      version: hex(e.version_hex),
    })
    expect(bytes.toString('hex')).toBe(c.inputs.challenge_message_hex)
  })

  it('MS-NLMP 4.2.4.3: reads the AUTHENTICATE_MESSAGE fields (pre-MIC layout, so no MIC)', () => {
    const a = vector('ntlm-ms-nlmp-4.2.4.3-authenticate-message')
    const message = readAuthenticate(hex(a.inputs.authenticate_message_hex))
    expect(message).toMatchObject({ user: 'User', domain: 'Domain', workstation: 'COMPUTER', mic: undefined })
    expect(message?.flags.toString(16)).toBe(a.expected.negotiate_flags_hex)
    expect(message?.lmResponse.toString('hex')).toBe(a.expected.lm)
    expect(message?.ntResponse).toHaveLength(a.expected.nt_len as number)
    expect(message?.encryptedRandomSessionKey.toString('hex')).toBe(a.expected.session_key)
  })

  it('MS-NLMP 4.2.4.3: verifies the AUTHENTICATE_MESSAGE against the known password, and refuses another', () => {
    const a = vector('ntlm-ms-nlmp-4.2.4.3-authenticate-message')
    const c = vector('ntlm-ms-nlmp-4.2.4.3-challenge-message')
    const state = {
      negotiate: Buffer.alloc(0),
      challenge: hex(c.inputs.challenge_message_hex),
      serverChallenge: hex('0123456789abcdef'),
    }
    const token = hex(a.inputs.authenticate_message_hex)
    const right = [{ username: 'user', domain: 'DOMAIN', password: 'Password' }]
    const wrong = [{ username: 'User', domain: 'Domain', password: 'password' }]
    expect(verifyAuthenticate(token, state, right, false)).toMatchObject({ ok: true })
    expect(verifyAuthenticate(token, state, wrong, false)).toMatchObject({ ok: false, status: 401 })
    expect(
      verifyAuthenticate(token, { ...state, serverChallenge: hex('0123456789abcdee') }, right, false),
    ).toMatchObject({ ok: false })
    expect(verifyAuthenticate(token, state, right, true)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/MIC/),
    })
  })

  it('MS-NLMP 4.2.2: refuses an NTLMv1 (24-byte) response even with the right password', () => {
    const v1 = vector('ntlm-ms-nlmp-4.2.2-ntlmv1')
    const token = authenticateBytes({
      lm: hex(v1.expected.LmChallengeResponse),
      nt: hex(v1.expected.NtChallengeResponse),
    })
    const state = { negotiate: Buffer.alloc(0), challenge: Buffer.alloc(0), serverChallenge: hex('0123456789abcdef') }
    const users = [{ username: 'User', domain: 'Domain', password: 'Password' }]
    expect(verifyAuthenticate(token, state, users, false)).toMatchObject({
      ok: false,
      reason: 'NTLMv1 responses are refused',
    })
  })
})

/** AUTHENTICATE_MESSAGE with version and MIC fields (88-byte header), Unicode strings. */
function authenticateBytes(input: { lm: Buffer; nt: Buffer; user?: string; domain?: string; flags?: number }): Buffer {
  const payload = [
    Buffer.from(input.domain ?? 'Domain', 'utf16le'),
    Buffer.from(input.user ?? 'User', 'utf16le'),
    Buffer.from('WORKSTATION', 'utf16le'),
    input.lm,
    input.nt,
  ]
  const header = Buffer.alloc(88)
  header.write('NTLMSSP\0', 0, 'latin1')
  header.writeUInt32LE(3, 8)
  let offset = 88
  const slots = [28, 36, 44, 12, 20]
  payload.forEach((part, index) => {
    const at = slots[index] as number
    header.writeUInt16LE(part.length, at)
    header.writeUInt16LE(part.length, at + 2)
    header.writeUInt32LE(offset, at + 4)
    offset += part.length
  })
  header.writeUInt32LE(offset, 56)
  header.writeUInt32LE((input.flags ?? 0xe2888235) >>> 0, 60)
  return Buffer.concat([header, ...payload])
}

const NEGOTIATE = Buffer.from(
  '4e544c4d535350000100000097b208e2000000000000000000000000000000000a0061' + '4a0000000f',
  'hex',
)

/** An NTLMv2 client written in the test from MS-NLMP 3.1.5.1.2 and 3.3.2, with a MIC when `mic` is set. */
function respond(
  challengeB64: string,
  creds: { user: string; domain: string; password: string },
  mic: boolean,
  tamper = false,
): Buffer {
  const challenge = Buffer.from(challengeB64, 'base64')
  const serverChallenge = challenge.subarray(24, 32)
  const infoLength = challenge.readUInt16LE(40)
  const infoOffset = challenge.readUInt32LE(44)
  const serverPairs = challenge.subarray(infoOffset, infoOffset + infoLength - 4)
  const flagsPair = Buffer.from([6, 0, 4, 0, 2, 0, 0, 0])
  const time = Buffer.alloc(8)
  time.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n)
  const clientChallenge = Buffer.from('c0ffeec0ffeec0ff', 'hex')
  const temp = Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    time,
    clientChallenge,
    Buffer.alloc(4),
    serverPairs,
    mic ? flagsPair : Buffer.alloc(0),
    Buffer.alloc(4),
    Buffer.alloc(4),
  ])
  const key = hmac(
    md4(Buffer.from(creds.password, 'utf16le')),
    Buffer.from(creds.user.toUpperCase() + creds.domain, 'utf16le'),
  )
  const proof = hmac(key, serverChallenge, temp)
  const token = authenticateBytes({
    lm: Buffer.alloc(24),
    nt: Buffer.concat([proof, temp]),
    user: creds.user,
    domain: creds.domain,
    flags: challenge.readUInt32LE(20),
  })
  if (mic) {
    const value = hmac(hmac(key, proof), NEGOTIATE, challenge, token)
    if (tamper) value[0] = (value[0] as number) ^ 1
    value.copy(token, 72)
  }
  return token
}

function send(
  url: string,
  agent: Agent,
  authorization?: string,
): Promise<{ status: number; header: string; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent, headers: authorization ? { authorization } : {} }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        body += chunk
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, header: String(res.headers['www-authenticate'] ?? ''), body }),
      )
    })
      .on('error', reject)
      .end()
  })
}

describe('ntlm auth server', () => {
  let mock: MockServer
  const users = [
    { username: 'User', domain: 'Domain', password: 'Password' },
    { username: 'jdoe', domain: 'CONTOSO', password: 'Pässw0rd!' },
    { username: 'svc-report', domain: 'CONTOSO', password: 'S3cret!' },
  ]
  const agents: Agent[] = []
  const agent = () => {
    const a = new Agent({ keepAlive: true, maxSockets: 1 })
    agents.push(a)
    return a
  }
  beforeAll(async () => {
    mock = await serve([
      ...ntlmAuth({ path: '/ntlm', users }),
      ...ntlmAuth({ path: '/mic', users, requireMic: true }),
      ...ntlmAuth({ path: '/negotiate', users, negotiateOnly: true }),
    ])
  })
  afterAll(async () => {
    for (const a of agents) a.destroy()
    await mock.close()
  })

  async function handshake(
    path: string,
    creds: { user: string; domain: string; password: string },
    opts: { mic?: boolean; tamper?: boolean; scheme?: string } = {},
  ) {
    const a = agent()
    const scheme = opts.scheme ?? 'NTLM'
    const first = await send(`${mock.url}${path}`, a, `${scheme} ${NEGOTIATE.toString('base64')}`)
    expect(first.status).toBe(401)
    const challenge = first.header.slice(scheme.length + 1)
    const token = respond(challenge, creds, opts.mic ?? false, opts.tamper)
    const second = await send(`${mock.url}${path}`, a, `${scheme} ${token.toString('base64')}`)
    return { agent: a, challenge, token, second }
  }

  it('asks for NTLM, then answers a NEGOTIATE with a CHALLENGE carrying target info', async () => {
    const a = agent()
    expect((await send(`${mock.url}/ntlm`, a)).header).toBe('NTLM')
    const res = await send(`${mock.url}/ntlm`, a, `NTLM ${NEGOTIATE.toString('base64')}`)
    const challenge = Buffer.from(res.header.slice(5), 'base64')
    expect(challenge.subarray(0, 12).toString('hex')).toBe('4e544c4d5353500002000000')
    const info = readAvPairs(challenge.subarray(challenge.readUInt32LE(44)))
    expect(info?.get(2)?.toString('utf16le')).toBe('DOMAIN')
    expect(info?.has(7)).toBe(false)
  })

  it('accepts an NTLMv2 response on the same connection, which then stays authenticated (as IIS does)', async () => {
    const { agent: a, second } = await handshake('/ntlm', { user: 'user', domain: 'DOMAIN', password: 'Password' })
    expect(second.status).toBe(200)
    expect(JSON.parse(second.body)).toMatchObject({ ok: true, user: 'User', domain: 'Domain' })
    expect((await send(`${mock.url}/ntlm`, a)).status).toBe(200)
    expect((await send(`${mock.url}/ntlm`, agent())).status).toBe(401)
  })

  it('refuses a wrong password and an unknown domain', async () => {
    expect((await handshake('/ntlm', { user: 'User', domain: 'Domain', password: 'password' })).second.status).toBe(401)
    expect((await handshake('/ntlm', { user: 'User', domain: 'Other', password: 'Password' })).second.status).toBe(401)
  })

  it('refuses an AUTHENTICATE message sent on another connection than the negotiation', async () => {
    const a = agent()
    const first = await send(`${mock.url}/ntlm`, a, `NTLM ${NEGOTIATE.toString('base64')}`)
    const token = respond(first.header.slice(5), { user: 'User', domain: 'Domain', password: 'Password' }, false)
    expect((await send(`${mock.url}/ntlm`, agent(), `NTLM ${token.toString('base64')}`)).status).toBe(401)
    // on its own connection it is accepted once, and a replay of it is refused
    expect((await send(`${mock.url}/ntlm`, a, `NTLM ${token.toString('base64')}`)).status).toBe(200)
    expect((await send(`${mock.url}/ntlm`, a, `NTLM ${token.toString('base64')}`)).status).toBe(401)
  })

  it('with requireMic: sends MsvAvTimestamp, accepts a valid MIC, refuses a missing or wrong one', async () => {
    const creds = { user: 'jdoe', domain: 'contoso', password: 'Pässw0rd!' }
    const ok = await handshake('/mic', creds, { mic: true })
    const info = readAvPairs(
      Buffer.from(ok.challenge, 'base64').subarray(Buffer.from(ok.challenge, 'base64').readUInt32LE(44)),
    )
    expect(info?.get(7)).toHaveLength(8)
    expect(ok.second.status).toBe(200)
    expect((await handshake('/mic', creds, { mic: false })).second.status).toBe(401)
    expect((await handshake('/mic', creds, { mic: true, tamper: true })).second.status).toBe(401)
  })

  it('checks a MIC the client sends even when none is required', async () => {
    const creds = { user: 'User', domain: 'Domain', password: 'Password' }
    expect((await handshake('/ntlm', creds, { mic: true })).second.status).toBe(200)
    expect((await handshake('/ntlm', creds, { mic: true, tamper: true })).second.status).toBe(401)
  })

  it('offers only Negotiate when negotiateOnly is set, and accepts NTLM tokens inside it', async () => {
    expect((await send(`${mock.url}/negotiate`, agent())).header).toBe('Negotiate')
    const { second } = await handshake(
      '/negotiate',
      { user: 'User', domain: 'Domain', password: 'Password' },
      { scheme: 'Negotiate' },
    )
    expect(second.status).toBe(200)
    const res = await send(`${mock.url}/negotiate`, agent(), `NTLM ${NEGOTIATE.toString('base64')}`)
    expect(res.status).toBe(401)
    expect(res.header).toBe('Negotiate')
  })

  it("interoperates with curl --ntlm ('DOMAIN\\user') and refuses it with a wrong password", async () => {
    const ok = await curl(['--ntlm', '-u', 'DOMAIN\\User:Password', `${mock.url}/ntlm?x=1`])
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, user: 'User', domain: 'Domain' })
    expect((await curl(['--ntlm', '-u', 'DOMAIN\\User:wrong', `${mock.url}/ntlm`])).status).toBe(401)
    // curl widens each password byte to UTF-16 (no real UTF-8 conversion), so its test account has an ASCII password
    expect((await curl(['--ntlm', '-u', 'contoso\\SVC-REPORT:S3cret!', `${mock.url}/ntlm`])).status).toBe(200)
  })

  it('interoperates with curl --ntlm in the user@domain form', async () => {
    expect((await curl(['--ntlm', '-u', 'User@Domain:Password', `${mock.url}/ntlm`])).status).toBe(200)
  })

  it('answers 400 or 401 to garbage, truncated and mutated NTLM messages, never crashing', async () => {
    const a = agent()
    const first = await send(`${mock.url}/ntlm`, a, `NTLM ${NEGOTIATE.toString('base64')}`)
    const valid = respond(first.header.slice(5), { user: 'User', domain: 'Domain', password: 'Password' }, true)
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.nat(valid.length - 1).map((n) => valid.subarray(0, n)),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
            const copy = Buffer.from(valid)
            copy[at] = (copy[at] as number) ^ x
            return copy
          }),
          fc
            .uint8Array({ maxLength: 200 })
            .map((b) => Buffer.concat([Buffer.from('NTLMSSP\0\x03\0\0\0', 'latin1'), b])),
        ),
        async (token) => {
          const b = agent()
          await send(`${mock.url}/ntlm`, b, `NTLM ${NEGOTIATE.toString('base64')}`)
          const res = await send(`${mock.url}/ntlm`, b, `NTLM ${token.toString('base64')}`)
          expect([400, 401]).toContain(res.status)
          b.destroy()
        },
      ),
      { numRuns: 150 },
    )
    expect((await send(`${mock.url}/ntlm`, a, 'NTLM %%%')).status).toBe(400)
    expect((await send(`${mock.url}/ntlm`, a, `NTLM ${'A'.repeat(14_000)}`)).status).toBeOneOf([400, 401])
  })
})
