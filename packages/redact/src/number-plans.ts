// Phone candidates are validated against the number plans of libphonenumber's metadata (compiled into
// `number-plans.data.ts` by `scripts/number-plans.mjs`): a number is valid when its national significant number has
// a length its region uses and matches that region's national number pattern. Each pattern is compiled on first use
// and only ever tested on at most 17 digits, so a test is bounded whatever the text.
import { NUMBER_PLANS } from './number-plans.data'

interface Plan {
  readonly region: string
  readonly trunk: string
  readonly lengths: number
  readonly source: string
  re: RegExp | undefined
}

const BY_CODE = new Map<string, Plan[]>()
const WITH_TRUNK_ZERO: Plan[] = []
const BY_REGION = new Map<string, Plan>()
for (const [code, rows] of Object.entries(NUMBER_PLANS)) {
  const plans = rows.map(([region, trunk, source, lengths]): Plan => {
    let mask = 0
    for (const l of lengths.split(',')) mask |= 1 << Number(l)
    return { region, trunk, lengths: mask, source, re: undefined }
  })
  BY_CODE.set(code, plans)
  for (const plan of plans) {
    if (plan.trunk === '0') WITH_TRUNK_ZERO.push(plan)
    BY_REGION.set(plan.region, plan)
  }
}

function fits(plan: Plan, nsn: string): boolean {
  if ((plan.lengths & (1 << nsn.length)) === 0) return false
  plan.re ??= new RegExp(`^(?:${plan.source})$`)
  return plan.re.test(nsn)
}

/** Digits after `+` (or `00`): a calling code of 1–3 digits and a national number valid in one of its regions. */
export function internationalValid(digits: string): boolean {
  if (digits.length < 7 || digits.length > 17) return false
  for (let len = 1; len <= 3; len++) {
    const plans = BY_CODE.get(digits.slice(0, len))
    if (plans === undefined) continue
    const nsn = digits.slice(len)
    return plans.some((plan) => fits(plan, nsn))
  }
  return false
}

/** A national number written with the trunk prefix 0 (`0152 75868784`, `07700 900123`): valid in some region. */
export function trunkNationalValid(digits: string): boolean {
  if (digits.length < 8 || digits.length > 14 || digits.charCodeAt(0) !== 48 || digits.charCodeAt(1) === 48) {
    return false
  }
  const nsn = digits.slice(1)
  return WITH_TRUNK_ZERO.some((plan) => fits(plan, nsn))
}

/**
 * Regions whose national numbers are written without a trunk prefix and in the groups people there use
 * (`650 090 232`, `93 583 38 42`, `22 12 34 56`, `06 1234 5678` in Italy, where the 0 is part of the number).
 */
export const NO_TRUNK_REGIONS: readonly string[] = ['ES', 'IT', 'PT', 'DK', 'NO']

/** A national number of one of {@link NO_TRUNK_REGIONS}, as dialled there. */
export function noTrunkNationalValid(digits: string): boolean {
  return NO_TRUNK_REGIONS.some((region) => {
    const plan = BY_REGION.get(region)
    return plan !== undefined && fits(plan, digits)
  })
}
