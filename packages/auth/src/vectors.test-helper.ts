// Test-only: the shared spec vectors, looked up by name.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

interface Vector {
  name: string
  inputs: Record<string, unknown>
  expected: Record<string, unknown>
  derived?: Record<string, unknown>
  fips_sha512_256_values?: Record<string, unknown>
}

const file = fileURLToPath(new URL('../../../fixtures/shared/vectors/auth-vectors.json', import.meta.url))
const all = (JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] }).vectors

export function vector(name: string): Vector {
  const v = all.find((x) => x.name === name)
  if (v === undefined) throw new Error(`no vector ${name}`)
  return v
}
