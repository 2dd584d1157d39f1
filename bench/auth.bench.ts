import { createHash, createHmac, randomBytes } from 'node:crypto'
import { awsSigV4, digest, oauth1 } from '@fieldkit/auth'
import aws4 from 'aws4'
import DigestClient from 'digest-fetch'
import OAuth from 'oauth-1.0a'
import { cachedTokenBench } from './auth-tokens'
import { compare } from './harness'

const OPS = 40_000

type Req = { method: string; url: URL; headers: Record<string, string> }
const fresh = (method: string, url: string): Req => ({ method, url: new URL(url), headers: {} })

/**
 * Auth: signings per second of OAuth 1.0a (HMAC-SHA1), Digest (MD5, qop=auth) and SigV4 beside oauth-1.0a,
 * digest-fetch's hashing path (addAuth after a parsed challenge) and aws4, with raw node:crypto as the base.
 * Each op builds the complete header for one request (fresh nonce/cnonce/date where the library makes one).
 */
export default async function main(): Promise<void> {
  const url = 'https://photos.example.net/photos?file=vacation.jpg&size=original'
  const creds = {
    consumerKey: 'dpf43f3p2l4k3l03',
    consumerSecret: 'kd94hf93k423kf44',
    token: 'nnch734d00sl2jdk',
    tokenSecret: 'pfkkdhi9sl3r4s00',
  }
  const fk = oauth1({ ...creds, signatureMethod: 'HMAC-SHA1' })
  const peer = new OAuth({
    consumer: { key: creds.consumerKey, secret: creds.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base: string, key: string) => createHmac('sha1', key).update(base).digest('base64'),
  })
  const base =
    'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal'
  await compare(
    [
      {
        name: 'node:crypto HMAC-SHA1 of a prebuilt base string',
        base: true,
        run: () => {
          for (let i = 0; i < OPS; i++)
            createHmac('sha1', 'kd94hf93k423kf44&pfkkdhi9sl3r4s00').update(base).digest('base64')
          return OPS
        },
      },
      {
        name: '@fieldkit/auth oauth1().apply',
        run: () => {
          for (let i = 0; i < OPS; i++) fk.apply(fresh('GET', url))
          return OPS
        },
      },
      {
        name: 'oauth-1.0a 2.2.6 authorize + toHeader',
        run: () => {
          const token = { key: creds.token, secret: creds.tokenSecret }
          for (let i = 0; i < OPS; i++) peer.toHeader(peer.authorize({ url, method: 'GET' }, token))
          return OPS
        },
      },
    ],
    { title: `OAuth 1.0a HMAC-SHA1 signings (${OPS.toLocaleString('en-US')} per run)`, unit: 'sig' },
  )

  const challenge =
    'Digest realm="testrealm@host.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
  const fkDigest = digest({ username: 'Mufasa', password: 'Circle Of Life' })
  await fkDigest.challenge?.({ status: 401, headers: { 'www-authenticate': challenge } }, fresh('GET', 'http://h/'))
  const df = new DigestClient('Mufasa', 'Circle Of Life')
  ;(df as unknown as { parseAuth(h: string): void }).parseAuth(challenge)
  const dfAdd = df as unknown as { addAuth(url: string, options: { method: string }): unknown }
  const md5 = (s: string) => createHash('md5').update(s).digest('hex')
  await compare(
    [
      {
        name: 'node:crypto: HA1, HA2 and response (3 × MD5) + cnonce',
        base: true,
        run: () => {
          for (let i = 0; i < OPS; i++) {
            const cnonce = randomBytes(16).toString('hex')
            md5(
              `${md5('Mufasa:testrealm@host.com:Circle Of Life')}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:${cnonce}:auth:${md5('GET:/dir/index.html')}`,
            )
          }
          return OPS
        },
      },
      {
        name: '@fieldkit/auth digest().apply',
        run: () => {
          for (let i = 0; i < OPS; i++) fkDigest.apply(fresh('GET', 'http://www.example.com/dir/index.html'))
          return OPS
        },
      },
      {
        name: 'digest-fetch 3.1.1 addAuth (hashing path)',
        run: () => {
          for (let i = 0; i < OPS; i++) dfAdd.addAuth('http://www.example.com/dir/index.html', { method: 'GET' })
          return OPS
        },
      },
    ],
    { title: `Digest MD5 qop=auth signings (${OPS.toLocaleString('en-US')} per run)`, unit: 'sig' },
  )

  const aws = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
  const fkAws = awsSigV4({ ...aws, region: 'us-east-1', service: 'execute-api' })
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
  const kSigning = createHmac('sha256', 'k').update('aws4_request').digest()
  await compare(
    [
      {
        name: 'node:crypto: 2 × SHA-256 + 1 HMAC (cached signing key)',
        base: true,
        run: () => {
          for (let i = 0; i < OPS; i++) {
            const canonical = `GET\n/prod/items\nlimit=10\nhost:api.example.com\nx-amz-date:${i}\n\nhost;x-amz-date\n${sha256('')}`
            createHmac('sha256', kSigning)
              .update(`AWS4-HMAC-SHA256\n${i}\nscope\n${sha256(canonical)}`)
              .digest('hex')
          }
          return OPS
        },
      },
      {
        name: '@fieldkit/auth awsSigV4().apply',
        run: () => {
          for (let i = 0; i < OPS; i++) fkAws.apply(fresh('GET', 'https://api.example.com/prod/items?limit=10'))
          return OPS
        },
      },
      {
        name: 'aws4 1.13.2 sign',
        run: () => {
          for (let i = 0; i < OPS; i++) {
            aws4.sign(
              {
                host: 'api.example.com',
                path: '/prod/items?limit=10',
                method: 'GET',
                service: 'execute-api',
                region: 'us-east-1',
              },
              aws,
            )
          }
          return OPS
        },
      },
    ],
    {
      title: `SigV4 signings (${OPS.toLocaleString('en-US')} per run)`,
      unit: 'sig',
      notes: [
        'Shared 2-core machine: other agents may load it; compare the paired × base ratios, not the absolute rates.',
      ],
    },
  )
  await cachedTokenBench()
}
