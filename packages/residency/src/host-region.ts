/** Where a hostname says it lives, and which rule read it there. */
export interface HostRegion {
  /** `aws`, `aws-cn`, `aws-us-gov`, `aws-eusc`, `azure`, `gcp`, `salesforce`, `saas-openai`, … */
  provider: string
  /** The provider's own region name (`eu-west-1`, `westeurope`, `europe-west4`, `EU`). */
  region: string
  /** The rule that matched, in words, for audit lines. */
  rule: string
}

const AWS_REGION = /^(?:us-gov|eusc-[a-z]{2}|us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\d$/
const GCP_REGION = /^(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-[a-z]+\d+$/

/** Azure region names, for the forms that carry one inside a label (`contoso-westeurope`). */
export const AZURE_REGIONS = new Set(
  (
    'eastus eastus2 centralus northcentralus southcentralus westcentralus westus westus2 westus3 canadacentral ' +
    'canadaeast brazilsouth brazilsoutheast mexicocentral northeurope westeurope uksouth ukwest francecentral ' +
    'francesouth germanywestcentral germanynorth switzerlandnorth switzerlandwest norwayeast norwaywest ' +
    'swedencentral swedensouth polandcentral italynorth spaincentral austriaeast belgiumcentral denmarkeast ' +
    'eastasia southeastasia japaneast japanwest koreacentral koreasouth centralindia southindia westindia ' +
    'jioindiacentral jioindiawest australiaeast australiasoutheast australiacentral australiacentral2 ' +
    'uaenorth uaecentral qatarcentral israelcentral southafricanorth southafricawest newzealandnorth ' +
    'indonesiacentral malaysiawest chilecentral taiwannorth'
  ).split(' '),
)

/** Exact SaaS hosts that publish a regional endpoint. */
const SAAS_HOSTS = new Map<string, [provider: string, region: string]>(
  Object.entries({
    'eu.api.openai.com': ['saas-openai', 'EU'],
    'api.eu.sendgrid.com': ['saas-sendgrid', 'EU'],
    'api-eu.mixpanel.com': ['saas-mixpanel', 'EU'],
    'api.eu.mailgun.net': ['saas-mailgun', 'EU'],
    'api.eu.datadoghq.com': ['saas-datadog', 'EU'],
    'api.eu.amplitude.com': ['saas-amplitude', 'EU'],
  }) as [string, [string, string]][],
)

type Rule = (labels: string[], host: string) => HostRegion | undefined

const endsWith = (labels: string[], suffix: string[]) =>
  labels.length > suffix.length && suffix.every((label, i) => labels[labels.length - suffix.length + i] === label)

function awsRule(suffix: string[], provider: (region: string) => string): Rule {
  const name = suffix.join('.')
  return (labels) => {
    if (!endsWith(labels, suffix)) return undefined
    const inner = labels.slice(0, -suffix.length)
    for (let i = inner.length - 1; i >= 0; i--) {
      const label = inner[i] as string
      const region = AWS_REGION.test(label) ? label : label.startsWith('s3-') ? label.slice(3) : undefined
      if (region !== undefined && AWS_REGION.test(region)) {
        return { provider: provider(region), region, rule: `AWS endpoint *.${region}.${name}` }
      }
    }
    if (inner.at(-1) === 'compute-1' && name === 'amazonaws.com') {
      return { provider: 'aws', region: 'us-east-1', rule: 'AWS EC2 host *.compute-1.amazonaws.com (us-east-1)' }
    }
    return undefined
  }
}

const awsProvider = (region: string) => (region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws')

const rules: Rule[] = [
  awsRule(['amazonaws', 'com'], awsProvider),
  awsRule(['amazonaws', 'com', 'cn'], () => 'aws-cn'),
  awsRule(['amazonaws', 'eu'], () => 'aws-eusc'),
  awsRule(['on', 'aws'], awsProvider),
  awsRule(['api', 'aws'], awsProvider),
  // GCP regional endpoints: service.REGION.rep.googleapis.com and service.REGION.p.rep.googleapis.com.
  (labels) => {
    if (!endsWith(labels, ['rep', 'googleapis', 'com'])) return undefined
    const region = labels.at(-4) === 'p' ? labels.at(-5) : labels.at(-4)
    if (region && GCP_REGION.test(region))
      return { provider: 'gcp', region, rule: `GCP regional endpoint *.${region}.rep.googleapis.com` }
    return undefined
  },
  // Vertex AI and other REGION-service.googleapis.com hosts.
  (labels) => {
    if (labels.length !== 3 || !endsWith(labels, ['googleapis', 'com'])) return undefined
    const match = (labels[0] as string).match(/^([a-z]+-[a-z]+\d+)-(aiplatform|[a-z]+)$/)
    if (match?.[1] && GCP_REGION.test(match[1])) {
      return { provider: 'gcp', region: match[1], rule: `GCP regional service ${match[1]}-${match[2]}.googleapis.com` }
    }
    return undefined
  },
  // Cloud Run: NAME-PROJECT.REGION.run.app
  (labels) => {
    if (!endsWith(labels, ['run', 'app'])) return undefined
    const region = labels.at(-3)
    if (region && GCP_REGION.test(region)) return { provider: 'gcp', region, rule: `Cloud Run *.${region}.run.app` }
    return undefined
  },
  // Artifact Registry: REGION-FORMAT.pkg.dev
  (labels) => {
    if (labels.length !== 3 || !endsWith(labels, ['pkg', 'dev'])) return undefined
    const match = (labels[0] as string).match(/^([a-z]+-[a-z]+\d+)-[a-z]+$/)
    if (match?.[1] && GCP_REGION.test(match[1]))
      return { provider: 'gcp', region: match[1], rule: `Artifact Registry ${labels[0]}.pkg.dev` }
    return undefined
  },
  // Azure App Service with a regional name: NAME-HASH.REGION-01.azurewebsites.net
  (labels) => {
    if (!endsWith(labels, ['azurewebsites', 'net'])) return undefined
    const match = labels.at(-3)?.match(/^([a-z0-9]+)-\d{2}$/)
    if (match?.[1] && AZURE_REGIONS.has(match[1]))
      return { provider: 'azure', region: match[1], rule: `Azure App Service *.${labels.at(-3)}.azurewebsites.net` }
    return undefined
  },
  // Azure AI services: REGION.api.cognitive.microsoft.com
  (labels) => {
    if (labels.length !== 5 || !endsWith(labels, ['api', 'cognitive', 'microsoft', 'com'])) return undefined
    const region = labels[0] as string
    if (AZURE_REGIONS.has(region))
      return { provider: 'azure', region, rule: `Azure AI services ${region}.api.cognitive.microsoft.com` }
    return undefined
  },
  // Azure Container Apps and Data Explorer: *.REGION.azurecontainerapps.io, *.REGION.kusto.windows.net
  (labels) => {
    const suffix = endsWith(labels, ['azurecontainerapps', 'io'])
      ? 'azurecontainerapps.io'
      : endsWith(labels, ['kusto', 'windows', 'net'])
        ? 'kusto.windows.net'
        : undefined
    if (suffix === undefined) return undefined
    const region = labels.at(suffix === 'azurecontainerapps.io' ? -3 : -4)
    if (region && AZURE_REGIONS.has(region)) return { provider: 'azure', region, rule: `Azure *.${region}.${suffix}` }
    return undefined
  },
  // Azure Cosmos DB regional endpoints: ACCOUNT-REGION.documents.azure.com
  (labels) => {
    if (labels.length !== 4 || !endsWith(labels, ['documents', 'azure', 'com'])) return undefined
    const region = (labels[0] as string).split('-').at(-1)
    if (region && AZURE_REGIONS.has(region))
      return { provider: 'azure', region, rule: `Azure Cosmos DB regional endpoint *-${region}.documents.azure.com` }
    return undefined
  },
  // Salesforce legacy instances: na1, eu3, ap5 (sandboxes csNN and My Domain hosts say nothing).
  (labels) => {
    if (labels.length !== 3 || !endsWith(labels, ['salesforce', 'com'])) return undefined
    const match = (labels[0] as string).match(/^(na|eu|ap)\d+$/)
    if (match?.[1])
      return {
        provider: 'salesforce',
        region: `${match[1].toUpperCase()} (legacy instance)`,
        rule: `Salesforce legacy instance ${labels[0]}.salesforce.com`,
      }
    return undefined
  },
  (_labels, host) => {
    const saas = SAAS_HOSTS.get(host)
    return saas ? { provider: saas[0], region: saas[1], rule: `published regional host ${host}` } : undefined
  },
]

/** Lower-cases a hostname, strips a final dot and IPv6 brackets. */
export function normaliseHost(host: string): string {
  let h = host.trim().toLowerCase()
  if (h.endsWith('.')) h = h.slice(0, -1)
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  return h
}

/**
 * The provider and region a hostname names, where the provider encodes it: AWS (regional, S3 forms, China,
 * GovCloud, European Sovereign Cloud, Bedrock), GCP regional endpoints, Vertex AI, Cloud Run, Azure hosts that
 * carry a region, Salesforce legacy instances and the EU hosts SaaS and AI providers publish. Matching is anchored
 * at the end of the name, label by label, so `s3.eu-west-1.amazonaws.com.evil.example` names nothing. Undefined
 * where the name does not say (global S3, Azure Storage, My Domain): the resolved IP and range files decide then.
 *
 * @example
 * ```ts
 * regionOfHost('bedrock-runtime.eu-central-1.amazonaws.com') // { provider: 'aws', region: 'eu-central-1', rule: … }
 * regionOfHost('myaccount.blob.core.windows.net')            // undefined
 * ```
 */
export function regionOfHost(host: string): HostRegion | undefined {
  const normal = normaliseHost(host)
  const labels = normal.split('.')
  for (const rule of rules) {
    const found = rule(labels, normal)
    if (found) return found
  }
  return undefined
}
