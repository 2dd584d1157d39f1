import { describe, expect, it } from 'vitest'
import { createRedactor } from '../index'
import { found } from './test-kit.test-helper'

// Issue 14: secrets in the providers' published formats, wherever they stand.
const GITHUB = `ghp_${'x1Y2'.repeat(9)}`
const GITHUB_FINE_GRAINED = `github_pat_${'A1b2'.repeat(6)}_${'c3D4'.repeat(15)}`
const STRIPE = `sk_live_${'Zz09'.repeat(6)}`
const SLACK = `xoxb-123456789012-1234567890123-${'aB3d'.repeat(6)}`
const GOOGLE = `AIza${'Sy-_9'.repeat(7)}`

describe('provider tokens', () => {
  it.each([
    ['GitHub personal access token', GITHUB],
    ['GitHub fine-grained token', GITHUB_FINE_GRAINED],
    ['Stripe live secret key', STRIPE],
    ['Slack bot token', SLACK],
    ['Google API key', GOOGLE],
  ])('%s, bare in prose', (_, token) => {
    expect(found(`the build log printed ${token} by mistake`)).toEqual([`secret:${token}`])
  })

  it('not a prefix alone or a short word that starts like one', () => {
    expect(found('ghp_ is the prefix; sk_live_x and xoxb-1 are too short; AIzaSy', ['secret'])).toEqual([])
  })
})

describe('keys named like secrets', () => {
  it.each([
    ['GITHUB_TOKEN=', 'GITHUB_TOKEN=Tr0ub4dor-3'],
    ['DB_PASSWORD=', 'DB_PASSWORD=Tr0ub4dor-3'],
    ['"stripe_api_key": "', '{"stripe_api_key": "Tr0ub4dor-3"}'],
    ['SMTP_SECRET:', 'SMTP_SECRET: Tr0ub4dor-3'],
  ])('%s', (_, text) => {
    expect(found(text)).toEqual(['secret:Tr0ub4dor-3'])
  })

  it('not a key that only contains such a word (`token_count=`, `password_reset=`)', () => {
    expect(found('token_count=12 password_reset=true', ['secret'])).toEqual([])
  })
})

describe('values after a key', () => {
  it('a password with `#` inside is read whole', () => {
    expect(found('login passwd=vSggINI#77 ok')).toEqual(['secret:vSggINI#77'])
  })
})

describe('where an unquoted value ends, by the syntax around it', () => {
  const PASSWORD = 'p,ss;w)rd'
  it.each([
    ['a password with `,` `;` `)` inside, in prose', `login password=${PASSWORD} ok`],
    ['… at the end of the text', `password=${PASSWORD}`],
    ['… before a line break', `password=${PASSWORD}\nnext line`],
    ['… in a query string, up to `&`', `/cb?password=${PASSWORD}&page=2`],
    ['… in a connection string, up to `;` before the next pair', `Server=db;Password=${PASSWORD};Database=crm`],
    ['… in a list of pairs, up to `,` before the next pair', `{user=ann,password=${PASSWORD},role=admin}`],
    ['… in a Java toString, up to `, `', `User{name=ann, password=${PASSWORD}, role=admin}`],
    ['… inside parentheses, up to the `)` that closes them', `(password=${PASSWORD}) was rejected`],
    ['… inside brackets and braces', `[password=${PASSWORD}] {password=${PASSWORD}}`],
    ['… before a quote', `"url":"db?password=${PASSWORD}"`],
  ])('%s', (_, text) => {
    expect(found(text, ['secret'])).toEqual(Array.from(text.matchAll(/p,ss;w\)rd/g), () => `secret:${PASSWORD}`))
  })

  it('`,` and `;` before whitespace end the value, as a separator does', () => {
    expect(found('password=hunter2, user=ann; token=Tr0ub4dor; done', ['secret'])).toEqual([
      'secret:hunter2',
      'secret:Tr0ub4dor',
    ])
  })

  it('the whole password leaves no part of itself in the output', () => {
    const text = `login password=${'p,ss;w)rd'} ok`
    expect(createRedactor({ detectors: ['secret'] }).redactString(text).text).toBe('login password=[SECRET] ok')
  })
})
