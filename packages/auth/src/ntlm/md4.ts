/**
 * MD4 (RFC 1320) in TypeScript: NTLM needs it and OpenSSL 3 (Node 17+) no longer ships it in the default provider.
 * Used only for the NT one-way function, never as a general-purpose hash.
 */
export function md4(input: Uint8Array): Uint8Array {
  const bitLength = input.length * 8
  const padded = new Uint8Array((((input.length + 8) >> 6) + 1) << 6)
  padded.set(input)
  padded[input.length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, bitLength >>> 0, true)
  view.setUint32(padded.length - 4, Math.floor(bitLength / 0x100000000), true)

  let a = 0x67452301
  let b = 0xefcdab89
  let c = 0x98badcfe
  let d = 0x10325476
  const x = new Uint32Array(16)
  const rotl = (v: number, s: number) => (v << s) | (v >>> (32 - s))
  const f = (p: number, q: number, r: number) => (p & q) | (~p & r)
  const g = (p: number, q: number, r: number) => (p & q) | (p & r) | (q & r)
  const h = (p: number, q: number, r: number) => p ^ q ^ r

  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) x[i] = view.getUint32(offset + i * 4, true)
    const aa = a
    const bb = b
    const cc = c
    const dd = d
    // Round 1
    for (const i of [0, 4, 8, 12]) {
      a = rotl((a + f(b, c, d) + (x[i] as number)) | 0, 3)
      d = rotl((d + f(a, b, c) + (x[i + 1] as number)) | 0, 7)
      c = rotl((c + f(d, a, b) + (x[i + 2] as number)) | 0, 11)
      b = rotl((b + f(c, d, a) + (x[i + 3] as number)) | 0, 19)
    }
    // Round 2
    for (const i of [0, 1, 2, 3]) {
      a = rotl((a + g(b, c, d) + (x[i] as number) + 0x5a827999) | 0, 3)
      d = rotl((d + g(a, b, c) + (x[i + 4] as number) + 0x5a827999) | 0, 5)
      c = rotl((c + g(d, a, b) + (x[i + 8] as number) + 0x5a827999) | 0, 9)
      b = rotl((b + g(c, d, a) + (x[i + 12] as number) + 0x5a827999) | 0, 13)
    }
    // Round 3
    for (const i of [0, 2, 1, 3]) {
      a = rotl((a + h(b, c, d) + (x[i] as number) + 0x6ed9eba1) | 0, 3)
      d = rotl((d + h(a, b, c) + (x[i + 8] as number) + 0x6ed9eba1) | 0, 9)
      c = rotl((c + h(d, a, b) + (x[i + 4] as number) + 0x6ed9eba1) | 0, 11)
      b = rotl((b + h(c, d, a) + (x[i + 12] as number) + 0x6ed9eba1) | 0, 15)
    }
    a = (a + aa) | 0
    b = (b + bb) | 0
    c = (c + cc) | 0
    d = (d + dd) | 0
  }
  const out = new Uint8Array(16)
  const outView = new DataView(out.buffer)
  outView.setUint32(0, a >>> 0, true)
  outView.setUint32(4, b >>> 0, true)
  outView.setUint32(8, c >>> 0, true)
  outView.setUint32(12, d >>> 0, true)
  return out
}
