export { createHttpClient, type HttpClient, type QueryValue, type RequestOptions } from './client'
