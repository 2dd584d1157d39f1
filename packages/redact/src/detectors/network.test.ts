import { describe, expect, it } from 'vitest'
import { found } from './test-kit.test-helper'

describe('IPv4 addresses as people write them', () => {
  it.each([
    ['before a sentence full stop', 'client_ip=212.254.15.81.', 'ip:212.254.15.81'],
    ['before a comma', 'from 10.0.0.1, then', 'ip:10.0.0.1'],
    ['before a semicolon', 'hosts=10.0.0.1;10.0.0.2', 'ip:10.0.0.1'],
    ['before a closing parenthesis', '(seen at 192.168.1.20)', 'ip:192.168.1.20'],
    ['inside square brackets', 'peer [172.16.4.2] closed', 'ip:172.16.4.2'],
    ['with a port', 'ftp://u@10.25.136.106:21/ up', 'ip:10.25.136.106'],
    ['with a port at the end', 'connect 10.25.136.106:8080', 'ip:10.25.136.106'],
    ['before a path', 'http://10.1.2.3/admin', 'ip:10.1.2.3'],
    ['after @', 'ssh root@10.25.136.106 failed', 'ip:10.25.136.106'],
  ])('%s: %j', (_, text, expected) => {
    expect(found(text, ['ip'])).toContain(expected)
  })

  it('does not read a version, an OID or a reverse-DNS name as an address', () => {
    expect(found('version 1.2.3.4.5 and oid 1.3.6.1.4.1 and 4.3.2.1.in-addr.arpa', ['ip'])).toEqual([])
  })
})

describe('URL credentials', () => {
  it('with an empty user before the colon: the password alone (`redis://:s3cret@cache:6379`)', () => {
    expect(found('REDIS_URL=redis://:s3cret@cache:6379/0')).toEqual(['url_credentials::s3cret'])
  })

  it('with a percent-encoded password', () => {
    expect(found('amqp://app:p%40ss%3Aw0rd@mq.internal:5672')).toEqual(['url_credentials:app:p%40ss%3Aw0rd'])
  })

  it('an empty user is not reported as an e-mail address', () => {
    expect(found('postgres://:pw@db.example.com/app').map((f) => f.split(':')[0])).not.toContain('email')
  })
})

describe('IPv6 addresses', () => {
  it.each([
    ['two `::`', 'a 2001::db8::1 b'],
    ['non-hex groups before `::`', 'x gggg:hhhh::1234 y'],
  ])('invalid text (%s) yields no finding, not a valid-looking tail', (_, text) => {
    expect(found(text, ['ip'])).toEqual([])
  })

  it('still finds valid addresses, compressed and with a zone', () => {
    expect(found('from 2001:db8::1 and ::1 and fe80::1%eth0 ok', ['ip'])).toEqual([
      'ip:2001:db8::1',
      'ip:::1',
      'ip:fe80::1%eth0',
    ])
  })
})
