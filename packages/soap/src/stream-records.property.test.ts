import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  collect,
  cuts,
  expected,
  hostileDocuments,
  NS,
  soup,
  split,
  streamOutcome,
  tree,
} from './envelope-arbitraries.test-helper'
import { buildEnvelope, parseEnvelope } from './index'

describe('streamRecords over random chunkings', () => {
  it('yields the records of a valid document however its bytes or characters are split, equal to one chunk and to parseEnvelope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'1.1' | '1.2'>('1.1', '1.2'),
        fc.array(fc.oneof(tree.leaf, tree.textual, tree.parent), { minLength: 2, maxLength: 5 }),
        cuts,
        cuts,
        async (version, items, byteCuts, charCuts) => {
          const xml = buildEnvelope({
            version,
            body: { name: 'R', namespace: NS, value: { E: items, Total: '9' } },
          })
          const whole = await collect([xml])
          expect(whole).toEqual(expected(items, ''))
          expect((parseEnvelope(xml).body.R as { E: unknown }).E).toEqual(whole)
          expect(await collect(split(Buffer.from(xml), byteCuts))).toEqual(whole)
          expect(await collect(split(xml, charCuts))).toEqual(whole)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('ends hostile documents and token soup with the same records or the same typed error as one chunk', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileDocuments, soup), cuts, cuts, async (xml, byteCuts, charCuts) => {
        // Records yielded before a failure depend on the chunking; the outcome does not. (Bytes are compared with
        // bytes: UTF-8 turns a lone surrogate into U+FFFD, which a string chunk keeps and the parser refuses.)
        const bytes = Buffer.from(xml)
        expect(await streamOutcome(split(bytes, byteCuts))).toEqual(await streamOutcome([bytes]))
        expect(await streamOutcome(split(xml, charCuts))).toEqual(await streamOutcome([xml]))
      }),
      { numRuns: 300 },
    )
  })

  it('gives records or a typed error for random bytes in random chunks, never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 1500 }), cuts, async (bytes, byteCuts) => {
        await streamOutcome(split(bytes, byteCuts))
      }),
      { numRuns: 200 },
    )
  })
})
