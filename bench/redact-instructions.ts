// Instructions per MB of the redact scanner, counted by valgrind: deterministic to about ±1.5%, so it compares two
// commits on a shared machine where CPU time swings 2× between rounds. `bench/redact` runs it after its tables when
// asked (it needs valgrind, `apt-get install valgrind`, and about 80 s per bundle):
//
//   REDACT_INSTRUCTIONS=1 npx --yes pnpm@10 bench redact        (REDACT_INSTRUCTIONS_COMMITS="610ffcd 5de0404")
//
// Each commit's `packages/redact/src` and this tree's are bundled as published (tsup, ESM, `@fieldkit/core` bundled
// in so no loader runs under valgrind); each bundle redacts the first 0.5 MB of the bench corpus, one
// `redactString` per line, 16 untimed passes, then valgrind counts a run with 8 more passes and one with none: the
// difference / 8 / 0.5 MB.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { importPublished } from './published'

const ROOT = new URL('../', import.meta.url).pathname
const PACKAGE = `${ROOT}packages/redact`
const WORK = `${PACKAGE}/.tmp/instructions`
const BYTES = 500_000
const WARM = 16
const MEASURED = 8

/** Run under valgrind: loads the bundle, redacts the corpus `WARM + passes` times. */
const CHILD = `import { readFileSync } from 'node:fs'
const [bundle, passes] = process.argv.slice(2)
const lines = JSON.parse(readFileSync(new URL('./corpus.json', import.meta.url), 'utf8'))
const { createRedactor } = await import(bundle)
const r = createRedactor()
let chars = 0
for (let i = 0; i < ${WARM} + Number(passes); i++) for (const l of lines) chars += r.redactString(l).text.length
if (chars === 0) throw new Error('no output')
`

async function bundle(label: string, srcDir: string): Promise<string> {
  const outDir = `${WORK}/${label}`
  await importPublished(`${srcDir}/index.ts`, outDir, {
    external: ['pino'],
    noExternal: ['@fieldkit/core'],
    conditions: ['@fieldkit/source'],
  })
  return `${outDir}/index.js`
}

function instructions(bundlePath: string, passes: number): number {
  const run = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      '--cachegrind-out-file=/dev/null',
      'node',
      '--single-threaded',
      `${WORK}/child.mjs`,
      bundlePath,
      String(passes),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  )
  const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr)?.[1]
  if (refs === undefined) throw new Error(`valgrind gave no count: ${run.stderr.slice(-400)}`)
  return Number(refs.replaceAll(',', ''))
}

/**
 * Prints the instructions per MB of each commit's bundle (default: the pre-split 610ffcd) and of this tree, on the
 * first 0.5 MB of `corpus` (the bench's log lines).
 */
export async function instructionCounts(corpus: readonly string[], commits: readonly string[]): Promise<void> {
  rmSync(WORK, { recursive: true, force: true })
  mkdirSync(WORK, { recursive: true })
  const lines: string[] = []
  let bytes = 0
  for (const line of corpus) {
    if (bytes >= BYTES) break
    lines.push(line)
    bytes += Buffer.byteLength(line) + 1
  }
  writeFileSync(`${WORK}/corpus.json`, JSON.stringify(lines))
  writeFileSync(`${WORK}/child.mjs`, CHILD)
  const bundles: [string, string][] = []
  for (const sha of commits.length > 0 ? commits : ['610ffcd']) {
    const dir = `${WORK}/src-${sha}`
    mkdirSync(dir, { recursive: true })
    const tar = execFileSync('git', ['-C', ROOT, 'archive', sha, 'packages/redact/src'])
    execFileSync('tar', ['-x', '-C', dir, '--strip-components=2'], { input: tar })
    bundles.push([sha, await bundle(sha, `${dir}/src`)])
    rmSync(dir, { recursive: true, force: true }) // the bundle is built; its sources must not meet tsc or vitest
  }
  bundles.push(['this tree', await bundle('this-tree', `${PACKAGE}/src`)])
  const perMb: number[] = []
  for (const [name, path] of bundles) {
    const m = (instructions(path, MEASURED) - instructions(path, 0)) / MEASURED / (bytes / 1e6) / 1e6
    perMb.push(m)
    const base = perMb[0] as number
    const vs =
      perMb.length === 1
        ? ''
        : ` (${m <= base ? '' : '+'}${((m / base - 1) * 100).toFixed(1)}% against ${bundles[0]?.[0]})`
    console.log(`${name}: ${m.toFixed(1)} M instructions per MB${vs}`)
  }
  console.log('target: this tree no more than the pre-split commit (≤ +0%); the method agrees with itself within ±1.5%')
}
