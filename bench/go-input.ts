// The input that makes the Go baseline emit the same objects as
// function-odoo for a request: function-odoo's own desired state as a Go
// template, with the XR's name templated, as function-go-templating users write it.
import { RunFunctionRequest, to } from '@crossplane-org/function-sdk-typescript';
import { stringify } from 'yaml';
import { compose } from '../functions/compose.js';

const NAME_ANNOTATION = 'gotemplating.fn.crossplane.io/composition-resource-name';

export async function goTemplateInput(request: RunFunctionRequest): Promise<Record<string, unknown>> {
  const req = RunFunctionRequest.decode(RunFunctionRequest.encode(request).finish());
  const rsp = await compose(req, to(req) as Parameters<typeof compose>[1]);
  const xrName = String((request.observed?.composite?.resource?.metadata as { name?: string } | undefined)?.name ?? '');
  const docs: string[] = [];
  const composite = rsp.desired?.composite?.resource;
  if (composite) docs.push(stringify({ apiVersion: composite.apiVersion, kind: composite.kind, status: composite.status }, { lineWidth: 0 }));
  for (const [key, r] of Object.entries(rsp.desired?.resources ?? {})) {
    const object = structuredClone(r.resource ?? {}) as { metadata?: { annotations?: Record<string, string> } };
    object.metadata = { ...object.metadata, annotations: { ...object.metadata?.annotations, [NAME_ANNOTATION]: key } };
    docs.push(stringify(object, { lineWidth: 0 }));
  }
  // Template the XR's name wherever it appears as a whole value, as a template author would.
  const template = docs
    .join('---\n')
    .replace(new RegExp(`: ${xrName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'gm'), ': {{ .observed.composite.resource.metadata.name }}');
  return { apiVersion: 'gotemplating.fn.crossplane.io/v1beta1', kind: 'GoTemplate', source: 'Inline', inline: { template } };
}
