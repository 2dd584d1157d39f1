/** The bodies of the model server's answers: whole JSON answers and the server-sent events of streamed ones. */

type Obj = Record<string, unknown>

/** The three wire formats the model server speaks. */
export type ModelApi = 'chat' | 'responses' | 'anthropic'

/** Token usage every answer reports (30 tokens, as the token quota counts them). */
export const USAGE = { input: 20, output: 10 } as const

/** What one answer carries: the API, the model named in the request, the text, or tool-call arguments instead. */
export interface AnswerParts {
  api: ModelApi
  model: string
  text: string
  /** JSON text of the tool-call arguments when the answer is a tool call. */
  args: string | undefined
}

/** The whole (non-streamed) answer body in the API's format. */
export function wholeAnswer({ api, model, text, args }: AnswerParts): Obj {
  if (api === 'anthropic') {
    const content =
      args !== undefined
        ? [{ type: 'tool_use', id: 'toolu_1', name: 'send_mail', input: JSON.parse(args) }]
        : [{ type: 'text', text }]
    return {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: args ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: USAGE.input, output_tokens: USAGE.output },
    }
  }
  if (api === 'responses') return responsesAnswer(model, text, args)
  const message =
    args !== undefined
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send_mail', arguments: args } }],
        }
      : { role: 'assistant', content: text }
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message, finish_reason: args ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output },
  }
}

function responsesAnswer(model: string, text: string, args: string | undefined): Obj {
  const output =
    args !== undefined
      ? [
          {
            type: 'function_call',
            id: 'fc_1',
            call_id: 'call_1',
            name: 'send_mail',
            arguments: args,
            status: 'completed',
          },
        ]
      : [
          {
            type: 'message',
            id: 'msg_1',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ]
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    model,
    status: 'completed',
    output,
    usage: { input_tokens: USAGE.input, output_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output },
  }
}

/** One server-sent event. */
const ev = (data: unknown, name?: string) => `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`

/**
 * `text` cut into pieces of `size` characters, or exactly at the character offsets `at` when given (one empty piece
 * for an empty text).
 */
function pieces(text: string, size: number, at?: readonly number[]): string[] {
  const out: string[] = []
  if (at !== undefined) {
    let last = 0
    for (const offset of [...at].sort((a, b) => a - b)) {
      if (offset <= last || offset >= text.length) continue
      out.push(text.slice(last, offset))
      last = offset
    }
    out.push(text.slice(last))
    return out
  }
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out.length === 0 ? [''] : out
}

/**
 * The server-sent events of one streamed answer, the text (or arguments) cut into pieces of `chunkSize`, or at the
 * offsets `splits`.
 */
export function streamEvents(parts: AnswerParts, chunkSize: number, splits?: readonly number[]): string[] {
  const cut = pieces(parts.args ?? parts.text, chunkSize, splits)
  if (parts.api === 'anthropic') return anthropicEvents(parts, cut)
  if (parts.api === 'responses') return responsesEvents(parts, cut)
  return chatEvents(parts, cut)
}

function anthropicEvents({ model, args }: AnswerParts, cut: string[]): string[] {
  const block =
    args !== undefined ? { type: 'tool_use', id: 'toolu_1', name: 'send_mail', input: {} } : { type: 'text', text: '' }
  const start = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: USAGE.input, output_tokens: 1 },
  }
  return [
    ev({ type: 'message_start', message: start }, 'message_start'),
    ev({ type: 'content_block_start', index: 0, content_block: block }, 'content_block_start'),
    ...cut.map((p) =>
      ev(
        {
          type: 'content_block_delta',
          index: 0,
          delta: args !== undefined ? { type: 'input_json_delta', partial_json: p } : { type: 'text_delta', text: p },
        },
        'content_block_delta',
      ),
    ),
    ev({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    ev(
      {
        type: 'message_delta',
        delta: { stop_reason: args ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: USAGE.output },
      },
      'message_delta',
    ),
    ev({ type: 'message_stop' }, 'message_stop'),
  ]
}

function responsesEvents(parts: AnswerParts, cut: string[]): string[] {
  const { args, text } = parts
  const done = wholeAnswer(parts)
  const deltaType = args ? 'response.function_call_arguments.delta' : 'response.output_text.delta'
  const doneType = args ? 'response.function_call_arguments.done' : 'response.output_text.done'
  const last = args
    ? { type: doneType, sequence_number: cut.length + 1, item_id: 'fc_1', output_index: 0, arguments: args }
    : { type: doneType, sequence_number: cut.length + 1, item_id: 'msg_1', output_index: 0, content_index: 0, text }
  return [
    ev(
      {
        type: 'response.created',
        sequence_number: 0,
        response: { ...done, status: 'in_progress', output: [], usage: null },
      },
      'response.created',
    ),
    ...cut.map((p, i) =>
      ev(
        { type: deltaType, sequence_number: i + 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: p },
        deltaType,
      ),
    ),
    ev(last, doneType),
    ev({ type: 'response.completed', sequence_number: cut.length + 2, response: done }, 'response.completed'),
  ]
}

function chatEvents({ model, args }: AnswerParts, cut: string[]): string[] {
  const chunk = (delta: Obj, finish: string | null) =>
    ev({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    })
  const first =
    args !== undefined
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'send_mail', arguments: '' } }],
        }
      : { role: 'assistant', content: '' }
  return [
    chunk(first, null),
    ...cut.map((p) =>
      chunk(args !== undefined ? { tool_calls: [{ index: 0, function: { arguments: p } }] } : { content: p }, null),
    ),
    chunk({}, args ? 'tool_calls' : 'stop'),
    ev({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model,
      choices: [],
      usage: { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output },
    }),
    'data: [DONE]\n\n',
  ]
}
