// Key paths such as `user.password`, `req.headers["set-cookie"]`, `*.token` (one level) and `**.secret` (any
// depth, zero or more levels), matched while an object is walked: each node carries the states (path, position)
// still alive, so a path that cannot match below a node costs nothing further down.

export type KeyPath = readonly string[]

/** Splits `a.b["c-d"][0].*` into segments; returns undefined for a malformed path. */
export function parseKeyPath(path: string): KeyPath | undefined {
  const segments: string[] = []
  let i = 0
  let current = ''
  let expectSegment = true
  while (i < path.length) {
    const c = path[i] as string
    if (c === '.') {
      if (expectSegment && current === '') return undefined
      if (current !== '') segments.push(current)
      current = ''
      expectSegment = true
      i++
    } else if (c === '[') {
      if (current !== '') segments.push(current)
      current = ''
      const close = path.indexOf(']', i)
      if (close < 0) return undefined
      let inner = path.slice(i + 1, close)
      if (/^(["']).*\1$/.test(inner)) inner = inner.slice(1, -1)
      if (inner === '') return undefined
      segments.push(inner)
      i = close + 1
      expectSegment = false
    } else {
      current += c
      expectSegment = false
      i++
    }
  }
  if (current !== '') segments.push(current)
  else if (expectSegment) return undefined
  return segments.length > 0 ? segments : undefined
}

/** Live matching states: pairs of (path index, segments matched so far), flattened. */
export type States = readonly number[]

export const NO_STATES: States = []

export function initialStates(paths: readonly KeyPath[]): States {
  const states: number[] = []
  for (let p = 0; p < paths.length; p++) states.push(p, 0)
  return states
}

const NOTHING = { next: NO_STATES, matched: false }
const MATCHED = { next: NO_STATES, matched: true }

/**
 * Advances the states over one key. Returns the states alive below that key and whether some path ends exactly
 * there (the value under the key is to be replaced whole).
 */
export function step(paths: readonly KeyPath[], states: States, key: string): { next: States; matched: boolean } {
  if (states.length === 0) return NOTHING
  let next: number[] | undefined
  let matched = false
  for (let i = 0; i < states.length; i += 2) {
    const p = states[i] as number
    const k = states[i + 1] as number
    const path = paths[p] as KeyPath
    const seg = path[k] as string
    let to = -1
    if (seg === '**') {
      next ??= []
      next.push(p, k) // `**` swallows this key and stays alive
      const after = path[k + 1]
      if (after === undefined) matched = true
      else if (after === '*' || after === key) to = k + 2
    } else if (seg === '*' || seg === key) to = k + 1
    if (to < 0) continue
    if (to === path.length) matched = true
    else {
      next ??= []
      next.push(p, to)
      // A trailing `**` also matches here.
      if (to === path.length - 1 && path[to] === '**') matched = true
    }
  }
  if (next === undefined) return matched ? MATCHED : NOTHING
  return { next, matched }
}
