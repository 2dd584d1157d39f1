// A small copy-paste detector: windows of `size` consecutive code lines (trimmed, blank lines and comments dropped)
// that occur in two places. Overlapping windows merge into one range per pair of places.
import { createHash } from 'node:crypto'

/**
 * Copy-paste pairs among `files` (`{ file, text }`): `{ a, b, lines }` where `a` and `b` are `path:from-to` and
 * `lines` the number of code lines shared. A window counts only when it holds at least `minChars` characters, so
 * runs of closing braces and imports do not.
 */
export function findDuplicates(files, { size = 6, minChars = 200 } = {}) {
  const seen = new Map() // window hash -> [{ file, index }]
  const code = new Map() // file -> [{ text, line }]
  for (const { file, text } of files) {
    const lines = codeLines(text)
    code.set(file, lines)
    for (let i = 0; i + size <= lines.length; i++) {
      const window = lines.slice(i, i + size).map((l) => l.text)
      if (window.join('').length < minChars) continue
      const key = createHash('sha1').update(window.join('\n')).digest('hex')
      const list = seen.get(key) ?? []
      list.push({ file, index: i })
      seen.set(key, list)
    }
  }
  // Pairs of (file, index) that share a window, grouped by file pair and index offset, so a run merges.
  const runs = new Map()
  for (const list of seen.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const [p, q] = [list[x], list[y]].sort((m, n) => m.file.localeCompare(n.file) || m.index - n.index)
        if (p.file === q.file && q.index - p.index < size) continue // a repeated line pattern overlapping itself
        const key = `${p.file}\u0000${q.file}\u0000${q.index - p.index}`
        const run = runs.get(key) ?? []
        run.push(p.index)
        runs.set(key, run)
      }
    }
  }
  const pairs = []
  for (const [key, starts] of runs) {
    const [fileA, fileB, offset] = key.split('\u0000')
    starts.sort((m, n) => m - n)
    let from = starts[0]
    let to = starts[0]
    const flush = () => {
      const a = code.get(fileA)
      const b = code.get(fileB)
      const end = to + size - 1
      pairs.push({
        a: `${fileA}:${a[from].line}-${a[end].line}`,
        b: `${fileB}:${b[from + Number(offset)].line}-${b[end + Number(offset)].line}`,
        files: [fileA, fileB],
        lines: end - from + 1,
      })
    }
    for (const start of starts.slice(1)) {
      if (start <= to + 1) to = start
      else {
        flush()
        from = to = start
      }
    }
    flush()
  }
  return pairs.sort((m, n) => n.lines - m.lines || m.a.localeCompare(n.a))
}

/** Code lines with their 1-based line numbers: trimmed, without blank lines, comment lines or import lines. */
function codeLines(text) {
  const out = []
  let inBlock = false
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (inBlock) {
      if (line.includes('*/')) inBlock = false
      continue
    }
    if (line.startsWith('/*')) {
      inBlock = !line.includes('*/')
      continue
    }
    if (line === '' || line.startsWith('//') || line.startsWith('import ')) continue
    out.push({ text: line, line: i + 1 })
  }
  return out
}
