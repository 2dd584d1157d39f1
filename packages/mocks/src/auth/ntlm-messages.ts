// NTLM message layouts of MS-NLMP section 2.2.1 (NEGOTIATE, CHALLENGE, AUTHENTICATE) and AV pairs of 2.2.2.1.

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1')

/** Negotiate flags of MS-NLMP section 2.2.2.5 that this server reads or sends. */
export const NtlmFlags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  KEY_EXCH: 0x40000000,
  N56: 0x80000000,
} as const

/** AV pair ids of MS-NLMP section 2.2.2.1. */
export const AvId = {
  EOL: 0,
  NbComputerName: 1,
  NbDomainName: 2,
  DnsComputerName: 3,
  DnsDomainName: 4,
  Flags: 6,
  Timestamp: 7,
} as const

/** MsvAvFlags bit: the AUTHENTICATE message carries a MIC. */
export const AV_FLAG_MIC = 0x00000002

/** The message type (1, 2 or 3) of an NTLM token, or undefined if it is not one. */
export function messageType(token: Buffer): number | undefined {
  if (token.length < 12 || !token.subarray(0, 8).equals(SIGNATURE)) return undefined
  return token.readUInt32LE(8)
}

/** Flags of a NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1); undefined when it is too short to hold them. */
export function readNegotiate(token: Buffer): { flags: number } | undefined {
  if (messageType(token) !== 1 || token.length < 16) return undefined
  return { flags: token.readUInt32LE(12) }
}

/** Encodes AV pairs, ending with MsvAvEOL. */
export function writeAvPairs(pairs: [id: number, value: Buffer][]): Buffer {
  const parts: Buffer[] = []
  for (const [id, value] of [...pairs, [AvId.EOL, Buffer.alloc(0)] as [number, Buffer]]) {
    const head = Buffer.alloc(4)
    head.writeUInt16LE(id, 0)
    head.writeUInt16LE(value.length, 2)
    parts.push(head, value)
  }
  return Buffer.concat(parts)
}

/** Decodes AV pairs up to MsvAvEOL; undefined when a length runs past the end or EOL is missing. */
export function readAvPairs(data: Buffer): Map<number, Buffer> | undefined {
  const pairs = new Map<number, Buffer>()
  let offset = 0
  while (offset + 4 <= data.length) {
    const id = data.readUInt16LE(offset)
    const length = data.readUInt16LE(offset + 2)
    offset += 4
    if (id === AvId.EOL) return pairs
    if (offset + length > data.length) return undefined
    pairs.set(id, data.subarray(offset, offset + length))
    offset += length
  }
  return undefined
}

/** Builds a CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2); the version defaults to Windows 10 build 19041. */
export function writeChallenge(input: {
  flags: number
  serverChallenge: Buffer
  targetName: Buffer
  targetInfo: Buffer
  version?: Buffer
}): Buffer {
  const header = Buffer.alloc(56)
  SIGNATURE.copy(header, 0)
  header.writeUInt32LE(2, 8)
  const targetNameOffset = 56
  const targetInfoOffset = targetNameOffset + input.targetName.length
  header.writeUInt16LE(input.targetName.length, 12)
  header.writeUInt16LE(input.targetName.length, 14)
  header.writeUInt32LE(targetNameOffset, 16)
  header.writeUInt32LE(input.flags >>> 0, 20)
  input.serverChallenge.copy(header, 24)
  header.writeUInt16LE(input.targetInfo.length, 40)
  header.writeUInt16LE(input.targetInfo.length, 42)
  header.writeUInt32LE(targetInfoOffset, 44)
  ;(input.version ?? Buffer.from([10, 0, 0x61, 0x4a, 0, 0, 0, 15])).copy(header, 48)
  return Buffer.concat([header, input.targetName, input.targetInfo])
}

/** The fields of an AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3). */
export interface AuthenticateMessage {
  flags: number
  lmResponse: Buffer
  ntResponse: Buffer
  domain: string
  user: string
  workstation: string
  encryptedRandomSessionKey: Buffer
  /** The 16 bytes at offset 72 when the payload starts at 88 or later (where a MIC would be), else undefined. */
  mic?: Buffer
}

/** Decodes an AUTHENTICATE_MESSAGE; undefined when it is truncated or a field points outside it. */
export function readAuthenticate(token: Buffer): AuthenticateMessage | undefined {
  if (messageType(token) !== 3 || token.length < 64) return undefined
  const field = (at: number): Buffer | undefined => {
    const length = token.readUInt16LE(at)
    const offset = token.readUInt32LE(at + 4)
    if (length === 0) return Buffer.alloc(0)
    if (offset < 64 || offset + length > token.length) return undefined
    return token.subarray(offset, offset + length)
  }
  const fields = [12, 20, 28, 36, 44, 52].map(field)
  if (fields.some((f) => f === undefined)) return undefined
  const [lm, nt, domain, user, workstation, key] = fields as Buffer[]
  const flags = token.readUInt32LE(60)
  const firstPayload = Math.min(
    ...[12, 20, 28, 36, 44, 52].filter((at) => token.readUInt16LE(at) > 0).map((at) => token.readUInt32LE(at + 4)),
    token.length,
  )
  const text = (b: Buffer) => (flags & NtlmFlags.UNICODE ? b.toString('utf16le') : b.toString('latin1'))
  return {
    flags,
    lmResponse: lm as Buffer,
    ntResponse: nt as Buffer,
    domain: text(domain as Buffer),
    user: text(user as Buffer),
    workstation: text(workstation as Buffer),
    encryptedRandomSessionKey: key as Buffer,
    mic: firstPayload >= 88 && token.length >= 88 ? token.subarray(72, 88) : undefined,
  }
}
