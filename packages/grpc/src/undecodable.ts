import type * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '@omen/errors';

/**
 * Stands in for a request whose bytes are not a message of the method's type. grpc-js answers
 * a decoder throw with INTERNAL and the decoder's own words ("index out of range: 3 + 1 > 3"),
 * which reads as our fault and invites retries; with this in its place the handler kit refuses
 * the call as the caller's mistake (INVALID_ARGUMENT), like every other bad input.
 */
export class UndecodableRequest {
  constructor(readonly path: string) {}
}

/** `definition` with request decoders that return an UndecodableRequest instead of throwing. */
export function tolerantDecoding(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [key, method] of Object.entries(definition)) {
    const decode = method.requestDeserialize;
    out[key] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch {
          return new UndecodableRequest(method.path);
        }
      },
    };
  }
  return out;
}

/** The request itself, or an INVALID_ARGUMENT when it did not decode. */
export function decodedRequest<Req>(request: Req): Req {
  if (request instanceof UndecodableRequest) {
    throw new InvalidArgumentError(`the request is not a valid ${request.path} request message`, undefined, {
      reason: 'UNDECODABLE_REQUEST',
    });
  }
  return request;
}

/** A request stream that refuses the first message that did not decode. */
export async function* decodedRequests<Req>(requests: AsyncIterable<Req>): AsyncGenerator<Req> {
  for await (const request of requests) yield decodedRequest(request);
}
