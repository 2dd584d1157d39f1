export {
  type CallOptions,
  createSoapClient,
  type SecurityHeaderProvider,
  type SoapClient,
  type SoapClientOptions,
  type StreamCallOptions,
} from './client'
export {
  type AddressingOptions,
  type BuildEnvelopeOptions,
  buildEnvelope,
  type SoapHeaderBlock,
} from './envelope-build'
export { type ParsedEnvelope, type ParseOptions, parseEnvelope } from './envelope-parse'
export {
  SoapError,
  type SoapErrorCode,
  type SoapFault,
  SoapFaultError,
  type SoapVersion,
  XmlError,
  type XmlErrorCode,
} from './errors'
export { type GenerateTypesOptions, generateTypes } from './generate-types'
export { type MultipartRelated, parseMultipartRelated } from './mtom'
export type { DecimalMode, Shape } from './shape'
export { type StreamRecordsOptions, streamRecords } from './stream-records'
export type { SoapTransport, TransportRequest, TransportResponse, TransportStream } from './transport'
export {
  type AttributeDecl,
  type ElementDecl,
  type MessageInfo,
  type QName,
  type ReadWsdlOptions,
  readWsdl,
  type TypeDecl,
  type WsdlDescription,
  type WsdlOperation,
  type WsdlPort,
} from './wsdl'
export { cdata, comment, escapeAttribute, escapeText } from './xml-escape'
export type { XmlLimits } from './xml-limits'
