import { readFileSync } from 'node:fs'
import chardet from 'chardet'
import { describe, expect, it } from 'vitest'
import { detectEncoding } from './encoding'

// The measurement behind docs/decisions/csv-encoding-detection.md: our detector and chardet (npm) on the labelled
// files of fixtures/csv-real, each file's encoding written by its generator before either detector saw it.
const dir = new URL('../../../fixtures/csv-real/', import.meta.url)
const { files } = JSON.parse(readFileSync(new URL('labels.json', dir), 'utf8')) as {
  files: { file: string; encoding?: string }[]
}
const corpus = files
  .filter((f) => f.encoding !== undefined)
  .map((f) => ({ ...f, bytes: readFileSync(new URL(`files/${f.file}`, dir)) }))

describe('encoding detection: ours against chardet on the labelled corpus', () => {
  it('gets at least as many files right as chardet, and every one of them', () => {
    let ours = 0
    let theirs = 0
    let nonAscii = 0
    let oursNonAscii = 0
    let theirsNonAscii = 0
    const misses: string[] = []
    for (const f of corpus) {
      // pure ASCII reads the same in every candidate: chardet's "ISO-8859-1" for it is not wrong, so count apart
      const plain = f.bytes.every((b) => b > 0 && b < 0x80)
      const mine = detectEncoding(f.bytes, true).encoding
      const other = (chardet.detect(f.bytes) ?? '').toLowerCase().replace(/^utf-(16|32)$/, 'utf-$1le')
      if (mine === f.encoding) ours++
      else misses.push(`ours ${f.file}: ${mine}`)
      if (other === f.encoding) theirs++
      else if (!plain) misses.push(`chardet ${f.file}: ${other}`)
      if (!plain) {
        nonAscii++
        if (mine === f.encoding) oursNonAscii++
        if (other === f.encoding) theirsNonAscii++
      }
    }
    console.log(
      `corpus ${corpus.length} files: ours ${ours} right, chardet ${theirs}; of the ${nonAscii} with non-ASCII bytes: ours ${oursNonAscii}, chardet ${theirsNonAscii}\n${misses.join('\n')}`,
    )
    expect(ours).toBe(corpus.length)
    expect(ours).toBeGreaterThanOrEqual(theirs)
  })
})
