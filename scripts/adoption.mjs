#!/usr/bin/env node
// `pnpm adoption`: Fieldkit as a new user meets it. Outside the workspace, with plain npm and one scratch install of
// the packed tarballs (reused from `pnpm check` when fresh, see scripts/lib/tarballs.mjs) next to zod 3.25 (as the
// alias `zod3`), zod 4 and valibot, it
//   - checks every tarball holds LICENSE and no test file;
//   - runs each package README's first example in CommonJS on this Node (20 in CI) and as ESM on Node 24;
//   - type-checks (tsc, module nodenext) and runs normalizeCsv and res.json(schema) with zod 3.25, zod 4 and valibot;
//   - type-checks every package's declarations (skipLibCheck: false) with no optional peer installed;
//   - runs `npx -p @fieldkit/cli fieldkit explain FK_HTTP_RETRY_EXHAUSTED` from the installed tarball;
//   - checks the optional peers: nothing heavy is loaded by an import, a missing peer is FK_OPTIONAL_PEER_MISSING,
//     and an old Node gets FK_HTTP_NODE_UNSUPPORTED from require('@fieldkit/http').
// One line per check, then `N passed, N failed`; exit 1 on any failure. Bounded to 3 minutes.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { tarballProblems } from './lib/tarball-contents.mjs'
import { publicPackages, root, tarballs } from './lib/tarballs.mjs'

const started = Date.now()
const BUDGET_MS = 180_000
const exec = promisify(execFile)
const results = []

function report(name, ok, detail = '') {
  results.push(ok)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''} (${seconds} s)`)
}

/** Runs a command in the scratch app; resolves `{ ok, out }` (stdout and stderr, trimmed to the end). */
async function run(cmd, args, cwd, env = {}) {
  const left = Math.max(5_000, BUDGET_MS - (Date.now() - started))
  try {
    const { stdout, stderr } = await exec(cmd, args, {
      cwd,
      env: { ...process.env, FIELDKIT_DEBUG: '', ...env },
      timeout: left,
      maxBuffer: 16 * 1024 * 1024,
    })
    return { ok: true, out: `${stdout}${stderr}`, stdout }
  } catch (error) {
    const said = `${error.stdout ?? ''}${error.stderr ?? ''}`
    return { ok: false, out: `${said.trim() === '' ? error.message : said}${error.killed ? ' (timed out)' : ''}` }
  }
}

const tail = (text) => text.trim().split('\n').slice(-6).join(' | ').slice(0, 600)

// --- tarballs ------------------------------------------------------------------------------------------------
const packages = publicPackages()
const packed = tarballs((line) => console.log(`     ${line}`))
for (const pkg of packages) {
  const problems = tarballProblems(packed[pkg.name], pkg.name)
  report(`${pkg.name} tarball: LICENSE, no test files`, problems.length === 0, problems.join('; '))
}

// --- one scratch install ---------------------------------------------------------------------------------------
const scratch = mkdtempSync(join(tmpdir(), 'fieldkit-adoption-'))
const app = join(scratch, 'app')
mkdirSync(app)
const specs = Object.fromEntries(Object.entries(packed).map(([name, file]) => [name, `file:${file}`]))
writeFileSync(
  join(app, 'package.json'),
  JSON.stringify(
    {
      name: 'adoption',
      private: true,
      dependencies: {
        ...specs,
        zod3: 'npm:zod@~3.25.0',
        zod: '^4.1.0',
        valibot: '^1.1.0',
        openai: '^6.0.0', // the @fieldkit/ai README example
        typescript: '~5.9.3',
        '@types/node': '^20.19.0',
      },
      overrides: specs,
    },
    null,
    2,
  ),
)
const install = await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], app)
report('npm install of the tarballs with zod 3.25, zod 4 and valibot', install.ok, install.ok ? '' : tail(install.out))
if (!install.ok) finish()

// --- README examples ------------------------------------------------------------------------------------------
// Node 24 from npm (the `node` package), fetched once; its binary is then run directly.
const node24Path = await run('npx', ['--yes', '-p', 'node@24', 'node', '-p', 'process.execPath'], app)
report('Node 24 from the npm registry (npx -p node@24)', node24Path.ok, node24Path.ok ? '' : tail(node24Path.out))
// stdout only: under pnpm, npm warns about pnpm's own config on stderr.
const node24 = node24Path.stdout?.trim().split('\n').at(-1) ?? 'node'
for (const pkg of packages) {
  const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8')
  const block = readme.match(/```ts\n([\s\S]*?)```/)?.[1]
  if (block === undefined || !block.includes(`from '${pkg.name}'`)) {
    report(`${pkg.name} README example`, false, 'no ```ts block importing the package before any other')
    continue
  }
  const base = pkg.name.replace('@fieldkit/', 'readme-')
  writeFileSync(join(app, `${base}.mts`), block)
  writeFileSync(join(app, `${base}.cjs`), toCommonJs(block))
  const cjs = await run(process.execPath, [`${base}.cjs`], app)
  report(`${pkg.name} README example, CommonJS on Node ${process.versions.node}`, cjs.ok, cjs.ok ? '' : tail(cjs.out))
  const esm = await run(node24, [`${base}.mts`], app)
  report(`${pkg.name} README example, ESM on Node 24`, esm.ok, esm.ok ? '' : tail(esm.out))
}

/**
 * The example as a CommonJS script for Node 20: its imports stay on top, the rest goes into an async function (top-level
 * await), and the scratch install's own TypeScript transpiles it (types stripped, imports turned into require()).
 */
function toCommonJs(source) {
  const lines = source.split('\n')
  const imports = lines.filter((l) => /^import\s/.test(l))
  const body = lines.filter((l) => !/^import\s/.test(l))
  const wrapped = `${imports.join('\n')}\nvoid (async () => {\n${body.join('\n')}\n})().catch((e) => { console.error(e); process.exit(1) })\n`
  const ts = createRequire(join(app, 'package.json'))('typescript')
  return ts.transpileModule(wrapped, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText
}

// --- schemas: type-check and run ------------------------------------------------------------------------------
writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig(), null, 2))
writeFileSync(join(app, 'schemas.mts'), schemaProgram())
const tsc = await run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app)
report('tsc (module nodenext): normalizeCsv and res.json typed by zod 3.25, zod 4, valibot', tsc.ok, tail(tsc.out))
const schemas = await run(node24, ['schemas.mts'], app)
report('normalizeCsv and res.json run with zod 3.25, zod 4, valibot (Node 24)', schemas.ok, tail(schemas.out))

// --- published types without the optional peers ----------------------------------------------------------------
// A client's tsconfig may check libraries' types (skipLibCheck: false): every package's declarations, CommonJS and
// ESM, must then compile with none of the optional peers (ioredis, pino) installed.
writeFileSync(join(app, 'tsconfig.libcheck.json'), JSON.stringify(libCheckConfig(), null, 2))
writeFileSync(
  join(app, 'libcheck.mts'),
  packages.map((p, i) => `import * as p${i} from '${p.name}'\n`).join('') +
    `console.log(${packages.map((_, i) => `p${i}`).join(', ')})\n`,
)
writeFileSync(
  join(app, 'libcheck.cts'),
  packages.map((p, i) => `import p${i} = require('${p.name}')\n`).join('') +
    `console.log(${packages.map((_, i) => `p${i}`).join(', ')})\n`,
)
const libCheck = await run(
  process.execPath,
  [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.libcheck.json'],
  app,
)
report('tsc with skipLibCheck: false, ESM and CommonJS, no ioredis or pino installed', libCheck.ok, tail(libCheck.out))

function libCheckConfig() {
  const config = tsconfig()
  config.compilerOptions.skipLibCheck = false
  config.files = ['libcheck.mts', 'libcheck.cts']
  return config
}

function tsconfig() {
  return {
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      types: ['node'],
    },
    files: ['schemas.mts'],
  }
}

function schemaProgram() {
  return `import { createServer } from 'node:http'
import { normalizeCsv } from '@fieldkit/csv'
import { createHttpClient } from '@fieldkit/http'
import * as v from 'valibot'
import { z as z4 } from 'zod'
import { z as z3 } from 'zod3'

const csv = 'ID;Amount;Paid\\n007;1.234,50;ja\\n008;x;nein\\n'
const server = createServer((_, res) => res.setHeader('content-type', 'application/json').end('{"id":42,"total":"12.50"}'))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as { port: number }
const client = createHttpClient({ baseUrl: 'http://127.0.0.1:' + port, retry: false })
const failures: string[] = []

async function check(name: string, rows: AsyncIterable<{ id: string; amount: number; paid: boolean }>, report: PromiseLike<{ records: { emitted: number; quarantined: number } }>, order: Promise<{ id: number; total: string }>) {
  const got: { id: string; amount: number; paid: boolean }[] = []
  for await (const row of rows) got.push(row)
  const amount: number = got[0]?.amount ?? NaN // typed: a number, not unknown
  const r = await report
  const o = await order
  const total: string = o.total
  if (amount !== 1234.5 || r.records.emitted !== 1 || r.records.quarantined !== 1 || o.id !== 42 || total !== '12.50')
    failures.push(name + ': ' + JSON.stringify({ got, records: r.records, o }))
}

const a = z3.object({ id: z3.string(), amount: z3.number(), paid: z3.boolean() })
const ra = normalizeCsv(csv, { schema: a })
await check('zod 3.25', ra.rows, ra.report, (await client.request('/')).json(z3.object({ id: z3.number(), total: z3.string() })))

const b = z4.object({ id: z4.string(), amount: z4.number(), paid: z4.boolean() })
const rb = normalizeCsv(csv, { schema: b })
await check('zod 4', rb.rows, rb.report, (await client.request('/')).json(z4.object({ id: z4.number(), total: z4.string() })))

const c = v.object({ id: v.string(), amount: v.number(), paid: v.boolean() })
const rc = normalizeCsv(csv, { schema: c, values: { columns: { id: 'string', amount: 'number', paid: 'boolean' } } })
await check('valibot', rc.rows, rc.report, (await client.request('/')).json(v.object({ id: v.number(), total: v.string() })))

await client.close()
server.close()
if (failures.length > 0) { console.error(failures.join('\\n')); process.exit(1) }
console.log('3 schema libraries: rows typed and checked, JSON typed and checked')
`
}

// --- the CLI from the installed tarball ------------------------------------------------------------------------
const explain = await run(
  'npx',
  ['--no-install', '-p', '@fieldkit/cli', 'fieldkit', 'explain', 'FK_HTTP_RETRY_EXHAUSTED'],
  app,
)
report(
  'npx -p @fieldkit/cli fieldkit explain FK_HTTP_RETRY_EXHAUSTED',
  explain.ok && explain.out.includes('FK_HTTP_RETRY_EXHAUSTED'),
  explain.ok ? '' : tail(explain.out),
)

// --- optional peers and the Node floor -------------------------------------------------------------------------
writeFileSync(
  join(app, 'peers.cjs'),
  `const loaded = () => Object.keys(require.cache).filter((f) => /node_modules[\\\\/](ioredis|pino|zod|csv-parse|msw|undici)[\\\\/]/.test(f)).map((f) => f.match(/node_modules[\\\\/]([^\\\\/]+)/)[1])
const problems = []
require('@fieldkit/csv'); require('@fieldkit/redact'); require('@fieldkit/core')
const light = [...new Set(loaded())]
if (light.length) problems.push('csv, redact and core loaded ' + light.join(', '))
const { createHttpClient } = require('@fieldkit/http')
const heavy = [...new Set(loaded())].filter((n) => n !== 'undici')
if (heavy.length) problems.push('http loaded ' + heavy.join(', '))
try { createHttpClient({ baseUrl: 'http://127.0.0.1:1', rateLimit: { perSecond: 1, redis: 'redis://127.0.0.1:1' } }); problems.push('rateLimit.redis without ioredis did not throw') }
catch (e) { if (e.code !== 'FK_OPTIONAL_PEER_MISSING' || !e.hint.includes('npm install ioredis')) problems.push('rateLimit.redis without ioredis: ' + e.code + ' ' + e.message) }
if (problems.length) { console.error(problems.join('\\n')); process.exit(1) }
`,
)
const peers = await run(process.execPath, ['peers.cjs'], app)
report(
  'optional peers: imports load no ioredis/pino/zod/csv-parse; redis: without ioredis says how to install it',
  peers.ok,
  tail(peers.out),
)
writeFileSync(
  join(app, 'old-node.cjs'),
  `Object.defineProperty(process.versions, 'node', { value: '18.20.4' })
try { require('@fieldkit/http'); console.error('loaded on a faked Node 18'); process.exit(1) }
catch (e) { if (e.code !== 'FK_HTTP_NODE_UNSUPPORTED') { console.error(e); process.exit(1) } console.log(e.message) }
`,
)
const old = await run(process.execPath, ['old-node.cjs'], app)
report("require('@fieldkit/http') on a faked Node 18 says which Node it needs", old.ok, old.ok ? '' : tail(old.out))

finish()

function finish() {
  rmSync(scratch, { recursive: true, force: true })
  const passed = results.filter(Boolean).length
  const failed = results.length - passed
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (Date.now() - started > BUDGET_MS) console.log(`FAIL took ${seconds} s, over the ${BUDGET_MS / 1000} s budget`)
  console.log(
    `${passed} passed, ${failed + (Date.now() - started > BUDGET_MS ? 1 : 0)} failed (${seconds} s, in ${root})`,
  )
  process.exit(failed > 0 || Date.now() - started > BUDGET_MS ? 1 : 0)
}
