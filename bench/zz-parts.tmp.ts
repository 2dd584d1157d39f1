import { createRedactor } from '@fieldkit/redact'
import { memoryVault } from '../packages/ai/src/vault'
import { escapeUserText, restorePlaceholders } from '../packages/ai/src/placeholders'
import { pseudonymiseSlots } from '../packages/ai/src/pseudonymise'
const filler = 'The quarterly review covers attendance, training hours and open items for the regional team. '
let prompt = ''
let answer = ''
for (let i = 0; prompt.length < 4096; i++) prompt += `${filler}Contact employee${i}@example.com or +44 20 7946 ${String(1000 + i).slice(-4)}. `
for (let i = 1; answer.length < 2048; i++) answer += `Summary item ${i}: follow up with <EMAIL_${(i % 16) + 1}> about training; call <PHONE_${(i % 16) + 1}> if needed. `
prompt = prompt.slice(0, 4096); answer = answer.slice(0, 2048)
const redactor = createRedactor()
const vault = memoryVault()
const { findings } = redactor.redactString(prompt)
const entries = findings.map((f) => ({ label: f.kind.toUpperCase(), value: prompt.slice(f.offset!, f.offset! + f.length) }))
await vault.assign('c', entries)
const values = await vault.values('c')
console.log('findings', findings.length, 'values', values.size)
const N = 3000
async function time(name: string, fn: () => unknown) {
  for (let i = 0; i < 300; i++) await fn()
  const t = process.cpuUsage()
  for (let i = 0; i < N; i++) await fn()
  const u = process.cpuUsage(t)
  console.log(name.padEnd(30), ((u.user + u.system) / N).toFixed(1), 'us')
}
for (let r = 0; r < 2; r++) {
await time('redactString', () => redactor.redactString(prompt))
await time('vault.assign', () => vault.assign('c', entries))
await time('vault.values', () => vault.values('c'))
await time('restorePlaceholders', () => restorePlaceholders(answer, values, 'text', { restored: 0, unrestored: 0 }))
await time('escapeUserText(prompt)', () => escapeUserText(prompt))
let slotText = prompt
await time('pseudonymiseSlots', () => pseudonymiseSlots([{ get: () => prompt, set: (t) => { slotText = t } }], redactor, vault, 'c'))
}
