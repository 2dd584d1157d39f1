// `pnpm bench [name…]`: runs bench/<name>.bench.ts (all of them by default) in this one process and prints
// markdown tables; `--write` also saves them, with the machine, to bench/RESULTS.md.
import { readdirSync, writeFileSync } from 'node:fs'
import { machine } from './harness'

const args = process.argv.slice(2)
const write = args.includes('--write')
const wanted = args.filter((a) => !a.startsWith('--'))
const dir = new URL('.', import.meta.url)
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.ts', '')))
  .sort()

const captured: string[] = []
const log = console.log
console.log = (...parts: unknown[]) => {
  captured.push(parts.join(' '))
  log(...parts)
}
console.log(`# Fieldkit benchmarks\n\nMachine: ${machine()}. Run: ${new Date().toISOString()}.\n`)
for (const script of scripts) {
  console.log(`## ${script.replace('.bench.ts', '')}\n`)
  const mod = (await import(new URL(script, dir).href)) as { default: () => Promise<void> }
  await mod.default()
}
console.log = log
if (write) writeFileSync(new URL('RESULTS.md', dir), `${captured.join('\n')}\n`)
