// The protobuf floor of npm run bench: a function on the same SDK, started
// the same way, that returns the request's desired state unchanged — gRPC,
// protobuf decode and encode, nothing else.
import { serve } from '@crossplane-org/function-sdk-typescript';

serve((_req, rsp) => rsp, { name: 'echo-function' });
