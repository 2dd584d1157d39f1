// Starting the independent servers of the interop suite on free loopback ports: Apache httpd (mod_auth_digest,
// mod_auth_basic), nginx and `openssl s_server` (client certificates), and the Python glue around oauthlib and PyJWT.
// Each server gets its own temporary folder and port; `stop()` ends the processes this file started, by pid.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestCertificates } from '../packages/mocks/src/index'

export const PYTHON = '/usr/bin/python3' // Debian's interpreter, which sees python3-oauthlib, -jwt, -botocore, -gssapi
const APACHE_MODULES = '/usr/lib/apache2/modules'

/** A started server: its base URL, its folder, and how to stop it. */
export interface Started {
  url: string
  port: number
  dir: string
  stop(): Promise<void>
}

/** Why a server cannot run on this machine, or undefined when it can. */
export function missing(what: 'apache' | 'nginx' | 'openssl' | 'python' | 'ntlm'): string | undefined {
  const need: Record<typeof what, string[]> = {
    ntlm: [PYTHON],
    apache: ['/usr/sbin/apache2', '/usr/bin/htpasswd', `${APACHE_MODULES}/mod_auth_digest.so`],
    nginx: ['/usr/sbin/nginx'],
    openssl: ['/usr/bin/openssl'],
    python: [PYTHON],
  }
  const absent = need[what].filter((file) => !existsSync(file))
  if (absent.length > 0) return `not installed: ${absent.join(', ')}`
  if (what === 'ntlm') {
    if (
      !existsSync('/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so') &&
      !existsSync('/usr/lib/aarch64-linux-gnu/gssntlmssp/gssntlmssp.so')
    )
      return 'gss-ntlmssp is not installed'
    try {
      execFileSync(PYTHON, ['-c', 'import gssapi'], { stdio: 'pipe' })
    } catch {
      return 'python3-gssapi is not installed'
    }
  }
  if (what === 'python') {
    try {
      execFileSync(PYTHON, ['-c', 'import oauthlib, jwt, botocore'], { stdio: 'pipe' })
    } catch {
      return 'python3-oauthlib, python3-jwt or python3-botocore is not installed'
    }
  }
  return undefined
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${log().slice(-400)}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`did not listen on ${port} within 15 s: ${log().slice(-400)}`)
}

function start(command: string, args: string[], dir: string, port: number, stdin?: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (d) => {
    output += d
  })
  child.stderr?.on('data', (d) => {
    output += d
  })
  if (stdin !== undefined) child.stdin?.write(stdin)
  return waitForPort(port, child, () => output).then(() => child)
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.pid === undefined) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
    if (child.exitCode === null) child.kill('SIGKILL')
  }
}

/** One Apache Digest realm or Basic area of the test configuration. */
export interface ApacheArea {
  path: string
  type: 'Digest' | 'Basic'
  realm: string
  /** Extra directives inside the <Location>, e.g. `AuthDigestNonceLifetime 2`. */
  directives?: string[]
}

/**
 * Apache httpd in the foreground with only the modules it needs. Digest users are written as `htdigest` writes them
 * (user:realm:MD5(user:realm:password)); Basic users by `htpasswd -b` itself.
 */
export async function apache(areas: ApacheArea[], users: Array<{ user: string; password: string }>): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-interop-apache-'))
  chmodSync(dir, 0o755) // Apache's workers run as www-data and read the password files and htdocs
  const port = await freePort()
  mkdirSync(join(dir, 'htdocs'))
  writeFileSync(join(dir, 'htdocs', 'index.html'), 'ok\n')
  const digestLines: string[] = []
  for (const area of areas.filter((a) => a.type === 'Digest')) {
    for (const { user, password } of users) {
      const ha1 = createHash('md5').update(`${user}:${area.realm}:${password}`).digest('hex')
      digestLines.push(`${user}:${area.realm}:${ha1}`)
    }
  }
  writeFileSync(join(dir, 'digest.pw'), `${digestLines.join('\n')}\n`)
  writeFileSync(join(dir, 'basic.pw'), '')
  for (const { user, password } of users) {
    execFileSync('/usr/bin/htpasswd', ['-b', '-B', join(dir, 'basic.pw'), user, password], { stdio: 'pipe' })
  }
  const modules = [
    'mpm_event',
    'authn_core',
    'authn_file',
    'authz_core',
    'authz_user',
    'auth_basic',
    'auth_digest',
    'alias',
  ]
  const conf = [
    `ServerRoot ${dir}`,
    `Listen 127.0.0.1:${port}`,
    `PidFile ${dir}/httpd.pid`,
    `ErrorLog ${dir}/error.log`,
    'LogLevel warn auth_digest:debug',
    'ServerName 127.0.0.1',
    'User www-data',
    'Group www-data',
    `DefaultRuntimeDir ${dir}`,
    ...modules.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`),
    `DocumentRoot ${dir}/htdocs`,
    // Every URL under an area answers with the same small file.
    `AliasMatch ^/.+ ${dir}/htdocs/index.html`,
    `<Directory ${dir}/htdocs>`,
    '  Require all granted',
    '</Directory>',
    ...areas.flatMap((a) => [
      `<Location ${a.path}>`,
      `  AuthType ${a.type}`,
      `  AuthName "${a.realm}"`,
      a.type === 'Digest' ? '  AuthDigestProvider file' : '  AuthBasicProvider file',
      `  AuthUserFile ${dir}/${a.type === 'Digest' ? 'digest.pw' : 'basic.pw'}`,
      ...(a.type === 'Digest' ? [`  AuthDigestDomain ${a.path}`] : []),
      ...(a.directives ?? []).map((d) => `  ${d}`),
      '  Require valid-user',
      '</Location>',
    ]),
  ].join('\n')
  writeFileSync(join(dir, 'httpd.conf'), `${conf}\n`)
  for (const file of ['digest.pw', 'basic.pw']) chmodSync(join(dir, file), 0o644)
  const child = await start('/usr/sbin/apache2', ['-f', join(dir, 'httpd.conf'), '-X'], dir, port)
  return { url: `http://127.0.0.1:${port}`, port, dir, stop: stopper(child) }
}

/** The Python glue (oauthlib, PyJWT) with `config` on its stdin. */
export async function glue(config: Record<string, unknown>, port: number): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-interop-glue-'))
  const script = join(import.meta.dirname, 'servers', 'glue.py')
  const child = await start(PYTHON, [script, String(port)], dir, port, `${JSON.stringify(config)}\n`)
  return { url: `http://127.0.0.1:${port}`, port, dir, stop: stopper(child) }
}

/** The gss-ntlmssp acceptor behind HTTP (python-gssapi), verifying the users of `users` (DOMAIN:user:password). */
export async function ntlmGlue(users: string): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-interop-ntlm-'))
  const port = await freePort()
  writeFileSync(join(dir, 'users'), users)
  const script = join(import.meta.dirname, 'servers', 'ntlm_glue.py')
  const child = spawn(PYTHON, [script, String(port)], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NTLM_USER_FILE: join(dir, 'users') },
  })
  let output = ''
  child.stdout?.on('data', (d) => {
    output += d
  })
  child.stderr?.on('data', (d) => {
    output += d
  })
  await waitForPort(port, child, () => output)
  return { url: `http://127.0.0.1:${port}`, port, dir, stop: stopper(child) }
}

/** botocore's Authorization headers for `requests`, signed at `time`. */
export function botocoreSign(job: Record<string, unknown>): string[] {
  const out = execFileSync(PYTHON, [join(import.meta.dirname, 'servers', 'botocore_sign.py')], {
    input: JSON.stringify(job),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  return JSON.parse(String(out)) as string[]
}

/** nginx requiring a client certificate of the PKI's CA (`ssl_verify_client on`), plus plain redirect locations. */
export async function nginx(pki: TestCertificates, redirectTarget: string): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-interop-nginx-'))
  const port = await freePort()
  const plain = await freePort()
  const conf = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${pki.dir}/server.crt;
    ssl_certificate_key ${pki.dir}/server.key;
    ssl_client_certificate ${pki.dir}/ca.crt;
    ssl_verify_client on;
    location / { return 200 "client $ssl_client_s_dn\\n"; }
  }
  server {
    listen 127.0.0.1:${plain};
    location = /r301 { return 301 /echo; }
    location = /r302 { return 302 /echo; }
    location = /r303 { return 303 /echo; }
    location = /r307 { return 307 /echo; }
    location = /r308 { return 308 /echo; }
    location = /cross { return 302 ${redirectTarget}/echo; }
    location = /echo { return 200 "authorization=[$http_authorization]\\n"; }
  }
}
`
  writeFileSync(join(dir, 'nginx.conf'), conf)
  const child = await start('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir], dir, port)
  await waitForPort(plain, child, () => '')
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    dir,
    stop: stopper(child),
    // The plain-HTTP server of the redirect cases.
    ...{ plainUrl: `http://127.0.0.1:${plain}` },
  } as Started & { plainUrl: string }
}

/** `openssl s_server` requiring a client certificate and refusing any that does not verify (TLS 1.3 or 1.2). */
export async function sServer(pki: TestCertificates, version: '-tls1_3' | '-tls1_2'): Promise<Started> {
  const port = await freePort()
  const child = await start(
    '/usr/bin/openssl',
    [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      join(pki.dir, 'server.crt'),
      '-key',
      join(pki.dir, 'server.key'),
      '-CAfile',
      join(pki.dir, 'ca.crt'),
      '-Verify',
      '1',
      '-verify_return_error',
      version,
      '-www',
      '-quiet',
    ],
    pki.dir,
    port,
  )
  return { url: `https://127.0.0.1:${port}`, port, dir: pki.dir, stop: stopper(child) }
}
