export type { AuditRecord, AuditSink } from './audit'
export { AiError, type AiErrorCode } from './errors'
export {
  CONVERSATION_HEADER,
  type ConversationOptions,
  createModelGuard,
  type ModelGuard,
  type ModelGuardOptions,
  type ModelResidencyOptions,
} from './guard'
export type { PseudonymiseCounts } from './pseudonymise'
export type { TokenQuotaOptions } from './quota'
export { type RedisVaultOptions, redisVault } from './redis-vault'
export { type MemoryVaultOptions, memoryVault, type Vault, type VaultEntry } from './vault'
