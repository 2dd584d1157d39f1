// What a user pays for installing and importing each package: the packed tarballs (packed once, shared with
// `pnpm check` and `pnpm adoption`, see scripts/lib/tarballs.mjs), each installed alone with plain npm into a scratch
// folder outside the workspace (its required dependencies only: optional peers are not installed), against undici,
// got and ky installed the same way in the same run. Cold import: the median of fresh `node` processes, each timing
// its own `import()` (contenders alternated round by round, so a slow phase of a shared machine hits them alike).
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface TarballsModule {
  tarballs(log?: (line: string) => void): Record<string, string>
}

const ROUNDS = 9
const MB = 1024 * 1024

/** Targets from issue 17. */
const TARGETS = { httpMB: 4, httpImportRatio: 1.15, csvMB: 1, redactMB: 1, cliMB: 25 }

interface Installed {
  name: string
  dir: string
  bytes: number
  packages: number
}

/** Apparent size of every file under `dir` (symlinks not followed), in bytes, and the number of packages in it. */
function measure(dir: string): { bytes: number; packages: number } {
  let bytes = 0
  let packages = 0
  const walk = (path: string, depth: number, inModules: boolean) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name)
      if (entry.isSymbolicLink()) continue
      if (entry.isDirectory()) {
        const isPackage = inModules && !entry.name.startsWith('@') && !entry.name.startsWith('.')
        if (isPackage && existsSync(join(full, 'package.json'))) packages++
        walk(full, depth + 1, entry.name === 'node_modules' || (inModules && entry.name.startsWith('@')))
      } else bytes += lstatSync(full).size
    }
  }
  walk(join(dir, 'node_modules'), 0, true)
  return { bytes, packages }
}

function install(scratch: string, name: string, spec: string, overrides: Record<string, string>): Installed {
  const dir = join(scratch, name.replace('/', '__'))
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'footprint', private: true, dependencies: { [name]: spec }, overrides }),
  )
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: dir,
    stdio: 'ignore',
  })
  return { name, dir, ...measure(dir) }
}

/** One fresh process that imports `name` and prints how long the import took, in ms. */
function coldImport(dir: string, name: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(name)}); console.log(performance.now() - t)`
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' })
  return Number(out.trim())
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

export default async function footprint(): Promise<void> {
  const lib = (await import(new URL('../scripts/lib/tarballs.mjs', import.meta.url).href)) as TarballsModule
  const packed = lib.tarballs((line) => console.log(`<!-- ${line} -->`))
  const specs = Object.fromEntries(Object.entries(packed).map(([n, f]) => [n, `file:${f}`]))
  const scratch = mkdtempSync(join(tmpdir(), 'fieldkit-footprint-'))
  try {
    const installed: Installed[] = []
    for (const name of Object.keys(specs).sort()) installed.push(install(scratch, name, specs[name] as string, specs))
    for (const [name, version] of [
      ['undici', '^7.16.0'],
      ['got', '^14.6.0'],
      ['ky', '^1.14.0'],
    ] as const)
      installed.push(install(scratch, name, version, {}))

    // Cold import, paired rounds: every contender once per round, the order rotated.
    const times = new Map<string, number[]>(installed.map((i) => [i.name, []]))
    const ratios: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const order = installed.map((_, k) => installed[(k + round) % installed.length] as Installed)
      const thisRound = new Map<string, number>()
      for (const i of order) {
        const ms = coldImport(i.dir, i.name)
        thisRound.set(i.name, ms)
        times.get(i.name)?.push(ms)
      }
      ratios.push((thisRound.get('@fieldkit/http') as number) / (thisRound.get('undici') as number))
    }

    console.log(
      '### Install size and cold import (each package installed alone with npm; optional peers not installed)\n',
    )
    console.log('| package | installed | packages | cold import ms (median) | × undici |')
    console.log('| --- | ---: | ---: | ---: | ---: |')
    const undiciMs = median(times.get('undici') as number[])
    for (const i of installed) {
      const ms = median(times.get(i.name) as number[])
      console.log(
        `| ${i.name} | ${(i.bytes / MB).toFixed(2)} MB | ${i.packages} | ${ms.toFixed(1)} | ${(ms / undiciMs).toFixed(2)}× |`,
      )
    }
    const size = (name: string) => (installed.find((i) => i.name === name)?.bytes ?? Number.NaN) / MB
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET')
    const ratio = median(ratios)
    console.log('')
    console.log(
      `- @fieldkit/http installed ${size('@fieldkit/http').toFixed(2)} MB (target ≤ ${TARGETS.httpMB} MB): ${verdict(size('@fieldkit/http') <= TARGETS.httpMB)}`,
    )
    console.log(
      `- @fieldkit/http cold import ratio ${ratio.toFixed(2)}× undici's, median of ${ROUNDS} paired rounds (target ≤ ${TARGETS.httpImportRatio}×): ${verdict(ratio <= TARGETS.httpImportRatio)}`,
    )
    for (const [name, target] of [
      ['@fieldkit/csv', TARGETS.csvMB],
      ['@fieldkit/redact', TARGETS.redactMB],
      ['@fieldkit/cli', TARGETS.cliMB],
    ] as const)
      console.log(
        `- ${name} installed ${size(name).toFixed(2)} MB (target ≤ ${target} MB): ${verdict(size(name) <= target)}`,
      )
    console.log(
      `\nSizes are the apparent bytes of every file under node_modules; import times are wall-clock ms of \`await import()\` inside a fresh \`node\` (${process.version}), so a machine shared with other work adds noise to both sides of a ratio.\n`,
    )
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
