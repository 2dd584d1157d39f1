import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** One entry of ../shared/vectors/auth-vectors.json. */
export interface Vector {
  name: string
  source: string
  inputs: Record<string, unknown>
  expected: Record<string, unknown>
  derived?: Record<string, unknown>
  fips_sha512_256_values?: Record<string, string>
}

const vectorsUrl = new URL('../../../../fixtures/shared/vectors/auth-vectors.json', import.meta.url)

/** The published vector of that name. */
export function vector(name: string): Vector {
  const all = JSON.parse(readFileSync(vectorsUrl, 'utf8')) as { vectors: Vector[] }
  const found = all.vectors.find((v) => v.name === name)
  if (!found) throw new Error(`no vector named ${name}`)
  return found
}

/** Runs curl and returns the HTTP status and body (curl writes the status on the last line). */
export async function curl(args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '10', '-w', '\n%{http_code}', ...args])
  const cut = stdout.lastIndexOf('\n')
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) }
}
