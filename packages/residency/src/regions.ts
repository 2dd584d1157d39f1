/**
 * The named regions every policy knows, as `provider:region` patterns (a trailing `*` matches any suffix; a
 * pattern without `provider:` matches any provider). `eu` is the EU member states only: AWS eu-west-2 (London),
 * eu-central-2 (Zurich), GCP europe-west2/west6 and Azure UK/Switzerland/Norway regions are not in it.
 */
export const BUILTIN_REGIONS: Readonly<Record<string, readonly string[]>> = {
  eu: [
    'aws:eu-central-1',
    'aws:eu-west-1',
    'aws:eu-west-3',
    'aws:eu-south-1',
    'aws:eu-south-2',
    'aws:eu-north-1',
    'aws-eusc:*',
    'gcp:europe-west1',
    'gcp:europe-west3',
    'gcp:europe-west4',
    'gcp:europe-west8',
    'gcp:europe-west9',
    'gcp:europe-west10',
    'gcp:europe-west12',
    'gcp:europe-north1',
    'gcp:europe-north2',
    'gcp:europe-central2',
    'gcp:europe-southwest1',
    'azure:northeurope',
    'azure:westeurope',
    'azure:francecentral',
    'azure:francesouth',
    'azure:germanywestcentral',
    'azure:germanynorth',
    'azure:swedencentral',
    'azure:swedensouth',
    'azure:polandcentral',
    'azure:italynorth',
    'azure:spaincentral',
    'azure:austriaeast',
    'azure:belgiumcentral',
    'azure:denmarkeast',
    'salesforce:EU (legacy instance)',
    'saas-*:EU',
  ],
  uk: ['aws:eu-west-2', 'gcp:europe-west2', 'azure:uksouth', 'azure:ukwest'],
  ch: ['aws:eu-central-2', 'gcp:europe-west6', 'azure:switzerlandnorth', 'azure:switzerlandwest'],
  us: [
    'aws:us-east-1',
    'aws:us-east-2',
    'aws:us-west-1',
    'aws:us-west-2',
    'aws-us-gov:*',
    'gcp:us-*',
    'azure:eastus',
    'azure:eastus2',
    'azure:centralus',
    'azure:northcentralus',
    'azure:southcentralus',
    'azure:westcentralus',
    'azure:westus',
    'azure:westus2',
    'azure:westus3',
    'salesforce:NA (legacy instance)',
    'saas-*:US',
  ],
}

/** True when `pattern` (`provider:region`, `*` wildcards at the end of either part) names the location. */
export function regionPatternMatches(pattern: string, provider: string, region: string): boolean {
  const colon = pattern.indexOf(':')
  const providerPattern = colon === -1 ? '*' : pattern.slice(0, colon)
  const regionPattern = colon === -1 ? pattern : pattern.slice(colon + 1)
  return glob(providerPattern, provider) && glob(regionPattern, region)
}

function glob(pattern: string, value: string): boolean {
  if (pattern === '*') return true
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1))
  return pattern === value
}
