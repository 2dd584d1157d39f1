import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../../..')
const TARGET_BYTES = 200 * 1024 * 1024
const NS = 'urn:example:hr:employees:v1'

function record(i: number): string {
  const id = String(i + 1).padStart(10, '0')
  const nil = i % 5 === 0
  const notes =
    i % 10 === 0
      ? `<e:Notes><![CDATA[a <b> & c ${i}]]></e:Notes>`
      : `<e:Notes>Reviewed ${i} times &amp; counting &lt;ok&gt;</e:Notes>`
  // One record in three uses another prefix or a default namespace, as real services mix them.
  const [open, close, p] =
    i % 3 === 0
      ? ['<e:Employee>', '</e:Employee>', 'e:']
      : i % 3 === 1
        ? [`<x:Employee xmlns:x="${NS}">`, '</x:Employee>', 'x:']
        : [`<Employee xmlns="${NS}">`, '</Employee>', '']
  return (
    `${open}<${p}EmployeeId>${id}</${p}EmployeeId><${p}FirstName>Björn</${p}FirstName><${p}LastName>Fernández</${p}LastName>` +
    `<${p}Email>${nil ? '' : `b.${i}@example.com`}</${p}Email><${p}Department>R&amp;D</${p}Department><${p}Salary>${40000 + (i % 90000)}.50</${p}Salary>` +
    `<${p}HireDate>2015-03-14</${p}HireDate>${nil ? `<${p}ManagerId xsi:nil="true"/>` : `<${p}ManagerId>0000000042</${p}ManagerId>`}` +
    `<${p}Active>true</${p}Active><${p}LastModified>2024-05-02T10:15:30Z</${p}LastModified>${notes.replaceAll('e:', p)}${close}\n`
  )
}

// The child: a SOAP client streaming the records of the 200 MB answer; reports its own peak RSS.
const child = (url: string) => `
import { createSoapClient } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'packages/soap/src/index.ts')).href)}
const svc = createSoapClient({ endpoint: ${JSON.stringify(url)}, namespace: ${JSON.stringify(NS)} })
let records = 0, nils = 0, lastId = ''
const started = performance.now()
for await (const r of svc.stream('GetEmployees', { departmentId: 'all' }, { record: 'GetEmployeesResponse/Employee' })) {
  records++
  if (r.ManagerId === null) nils++
  lastId = r.EmployeeId
}
await svc.close()
console.log(JSON.stringify({ records, nils, lastId, seconds: (performance.now() - started) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }))
`

describe('streaming a 200 MB SOAP response', () => {
  it('yields every record with peak RSS under 250 MB, in a child process', async () => {
    let sentRecords = 0
    let sentBytes = 0
    const server = createServer((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
      res.write(
        `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><e:GetEmployeesResponse xmlns:e="${NS}">\n`,
      )
      const pump = () => {
        while (sentBytes < TARGET_BYTES) {
          const parts: string[] = []
          for (let k = 0; k < 200; k++) parts.push(record(sentRecords++))
          const chunk = Buffer.from(parts.join(''))
          sentBytes += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end('</e:GetEmployeesResponse></soap:Body></soap:Envelope>')
      }
      pump()
    })
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/soap`
    const dir = await mkdtemp(join(tmpdir(), 'fk-soap-rss-'))
    try {
      const script = join(dir, 'child.mts')
      await writeFile(script, child(url))
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--conditions=@fieldkit/source', '--import', 'tsx', script],
        { cwd: join(repoRoot, 'packages/soap'), maxBuffer: 1024 * 1024, timeout: 150_000 },
      )
      const result = JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
        records: number
        nils: number
        lastId: string
        seconds: number
        maxRssBytes: number
      }
      console.log(
        `[soap verify] ${(sentBytes / 2 ** 20).toFixed(0)} MiB, ${result.records} records in ${result.seconds.toFixed(1)} s (${(sentBytes / 2 ** 20 / result.seconds).toFixed(1)} MiB/s), peak RSS ${(result.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
      )
      expect(sentBytes).toBeGreaterThanOrEqual(TARGET_BYTES)
      expect(result.records).toBe(sentRecords)
      expect(result.lastId).toBe(String(sentRecords).padStart(10, '0'))
      expect(result.nils).toBe(Math.ceil(sentRecords / 5))
      expect(result.maxRssBytes).toBeLessThan(250 * 1024 * 1024)
    } finally {
      server.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 170_000)
})

// The child for issue 22.8: streams an answer whose second record holds a 500 MiB text node, under a 384 MB heap.
const hugeChild = (url: string) => `
import { createSoapClient } from ${JSON.stringify(pathToFileURL(join(repoRoot, 'packages/soap/src/index.ts')).href)}
const svc = createSoapClient({ endpoint: ${JSON.stringify(url)}, namespace: ${JSON.stringify(NS)} })
let records = 0, code = ''
try {
  for await (const _ of svc.stream('GetEmployees', {}, { record: 'GetEmployeesResponse/Employee' })) records++
} catch (error) {
  code = error.code
}
await svc.close()
console.log(JSON.stringify({ records, code, maxRssBytes: process.resourceUsage().maxRSS * 1024 }))
`

describe('streaming a record with a 500 MiB text node (issue 22.8)', () => {
  it('ends with FK_XML_LIMIT at the per-record limit, peak RSS well under the old 1.09 GB, heap capped at 384 MB', async () => {
    const server = createServer((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
      res.write(
        `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><e:GetEmployeesResponse xmlns:e="${NS}">${record(1)}<e:Employee><e:Notes>`,
      )
      const chunk = Buffer.alloc(64 * 1024, 'a')
      let sent = 0
      const pump = () => {
        while (sent < 500 * 2 ** 20 && !res.destroyed) {
          sent += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end('</e:Notes></e:Employee></e:GetEmployeesResponse></soap:Body></soap:Envelope>')
      }
      res.on('close', () => {
        sent = Number.POSITIVE_INFINITY
      })
      pump()
    })
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/soap`
    const dir = await mkdtemp(join(tmpdir(), 'fk-soap-huge-'))
    try {
      const script = join(dir, 'child.mts')
      await writeFile(script, hugeChild(url))
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--max-old-space-size=384', '--conditions=@fieldkit/source', '--import', 'tsx', script],
        { cwd: join(repoRoot, 'packages/soap'), maxBuffer: 1024 * 1024, timeout: 120_000 },
      )
      const result = JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
        records: number
        code: string
        maxRssBytes: number
      }
      console.log(
        `[soap verify] 500 MiB text node: ${result.code}, peak RSS ${(result.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
      )
      expect(result.records).toBe(1)
      expect(result.code).toBe('FK_XML_LIMIT')
      expect(result.maxRssBytes).toBeLessThan(400 * 1024 * 1024)
    } finally {
      server.closeAllConnections()
      server.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 150_000)
})
