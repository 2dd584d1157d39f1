import { FieldkitError } from '@fieldkit/core'
import { describe, expect, it } from 'vitest'
import { errorTexts, expectNoLeak } from './leaks'

describe('expectNoLeak', () => {
  it('finds a secret in its base64 form inside a cause', () => {
    const error = new FieldkitError({
      code: 'FK_X',
      message: 'm',
      hint: 'h',
      cause: new Error(`echo ${Buffer.from('app:pw-secret').toString('base64')}`),
    })
    expect(() => expectNoLeak(['app:pw-secret'], errorTexts(error))).toThrow(/secret #0 leaked/)
  })

  it('finds a percent-encoded secret in details and passes clean texts', () => {
    const error = new FieldkitError({ code: 'FK_X', message: 'm', hint: 'h', details: { url: '/x?p=a%20b%2Fc' } })
    expect(() => expectNoLeak(['a b/c'], errorTexts(error))).toThrow(/leaked/)
    expect(() => expectNoLeak(['not-there'], errorTexts(error))).not.toThrow()
  })
})
