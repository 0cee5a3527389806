// A gRPC client of the FunctionRunnerService, as Crossplane would call it.
import * as grpc from '@grpc/grpc-js';
import {
  FunctionRunnerServiceService,
  type RunFunctionRequest,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';

const Client = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, 'FunctionRunnerService');

export interface FunctionClient {
  runFunction(req: RunFunctionRequest): Promise<RunFunctionResponse>;
  close(): void;
}

export function functionClient(address: string, credentials = grpc.credentials.createInsecure()): FunctionClient {
  const client = new Client(address, credentials) as unknown as grpc.Client & {
    runFunction(req: RunFunctionRequest, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, rsp: RunFunctionResponse) => void): void;
  };
  return {
    runFunction: (req) =>
      new Promise((resolve, reject) =>
        client.runFunction(req, { deadline: Date.now() + 10_000 }, (err, rsp) => (err ? reject(err) : resolve(rsp))),
      ),
    close: () => client.close(),
  };
}
