import { isValidPhoneNumber } from 'libphonenumber-js/max'
import { describe, expect, it } from 'vitest'
import { createRedactor } from './index'
import { buildPhoneCorpus } from './number-plan-corpus.test-helper'

// Issue 14: phones drawn from number-plan ranges, written in the forms people use, in five languages. Every
// planted number is checked valid by libphonenumber-js before it counts. Recall: the planted span found as a phone
// (whole, or holding the number); leak: the planted text still present character for character in the output.
describe('phone accuracy on a corpus drawn from number plans (five languages)', () => {
  const { sentences, negatives } = buildPhoneCorpus(10_000)
  const redactor = createRedactor()
  const phonesOnly = createRedactor({ detectors: ['phone'] })

  it('plants only numbers libphonenumber-js calls valid', () => {
    for (const s of sentences) expect(isValidPhoneNumber(s.e164), `${s.form}: ${s.e164}`).toBe(true)
  })

  it('finds at least 99% of them in every form, leaks at most 0.5%, and fires on at most 0.5% of negatives', () => {
    const byForm = new Map<string, { planted: number; found: number; leaked: number; other: number }>()
    let found = 0
    let reported = 0
    let leaked = 0
    for (const s of sentences) {
      const { text, findings } = redactor.redactString(s.text)
      const row = byForm.get(s.form) ?? { planted: 0, found: 0, leaked: 0, other: 0 }
      byForm.set(s.form, row)
      row.planted++
      const phones = findings.filter((f) => f.kind === 'phone')
      reported += phones.length
      const hit = phones.some((f) => (f.offset ?? 0) <= s.start && (f.offset ?? 0) + f.length >= s.end)
      if (hit) {
        row.found++
        found++
      }
      if (text.includes(s.text.slice(s.start, s.end))) {
        row.leaked++
        leaked++
      }
    }
    let falsePositives = 0
    for (const n of negatives) {
      if (phonesOnly.redactString(n).findings.length > 0) falsePositives++
    }
    console.log(`${sentences.length} sentences, ${negatives.length} negative texts`)
    console.log('| form | planted | found | recall | leaked |\n| --- | ---: | ---: | ---: | ---: |')
    for (const [form, r] of byForm) {
      console.log(`| ${form} | ${r.planted} | ${r.found} | ${(r.found / r.planted).toFixed(4)} | ${r.leaked} |`)
    }
    const recall = found / sentences.length
    const precision = found / Math.max(reported, 1)
    const fpRate = falsePositives / negatives.length
    console.log(
      `phone recall ${recall.toFixed(4)}, precision ${precision.toFixed(4)}, leak ${(leaked / sentences.length).toFixed(4)}, negatives FP ${fpRate.toFixed(4)}`,
    )
    expect(sentences.length).toBeGreaterThanOrEqual(10_000)
    expect(negatives.length).toBeGreaterThanOrEqual(3_000)
    expect(recall).toBeGreaterThanOrEqual(0.99)
    expect(precision).toBeGreaterThanOrEqual(0.99)
    expect(leaked / sentences.length).toBeLessThanOrEqual(0.005)
    expect(fpRate).toBeLessThanOrEqual(0.005)
  })
})
