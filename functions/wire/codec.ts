// RunFunctionResponse on the wire, every field of it, with the Structs of
// composed objects written straight from plain objects (struct.ts).
// Requests are decoded by the SDK's codec: a hand-written decoder measured no
// faster (object creation dominates both). Tests hold this encoder to the
// SDK's codec on generated messages.
import type { Requirements, Resource, RunFunctionResponse, State } from '@crossplane-org/function-sdk-typescript';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { writeStructFields } from './struct.js';

const LD = WireType.LengthDelimited;

function writeResource(writer: BinaryWriter, resource: Resource): void {
  if (resource.resource !== undefined) {
    writer.tag(1, LD).fork();
    writeStructFields(writer, resource.resource);
    writer.join();
  }
  for (const [key, value] of Object.entries(resource.connectionDetails ?? {})) {
    writer.tag(2, LD).fork().tag(1, LD).string(key).tag(2, LD).bytes(value).join();
  }
  if (resource.ready !== 0 && resource.ready !== undefined) writer.tag(3, WireType.Varint).int32(resource.ready);
}

function writeState(writer: BinaryWriter, state: State): void {
  if (state.composite !== undefined) {
    writer.tag(1, LD).fork();
    writeResource(writer, state.composite);
    writer.join();
  }
  for (const [key, resource] of Object.entries(state.resources)) {
    writer.tag(2, LD).fork().tag(1, LD).string(key).tag(2, LD).fork();
    writeResource(writer, resource);
    writer.join().join();
  }
}

function writeRequirements(writer: BinaryWriter, requirements: Requirements): void {
  const selectors: [number, Requirements['resources']][] = [
    [1, requirements.extraResources ?? {}],
    [2, requirements.resources ?? {}],
  ];
  for (const [field, map] of selectors) {
    for (const [key, s] of Object.entries(map)) {
      writer.tag(field, LD).fork().tag(1, LD).string(key).tag(2, LD).fork();
      if (s.apiVersion !== '') writer.tag(1, LD).string(s.apiVersion);
      if (s.kind !== '') writer.tag(2, LD).string(s.kind);
      if (s.matchName !== undefined) writer.tag(3, LD).string(s.matchName);
      if (s.matchLabels !== undefined) {
        writer.tag(4, LD).fork();
        for (const [k, v] of Object.entries(s.matchLabels.labels)) writer.tag(1, LD).fork().tag(1, LD).string(k).tag(2, LD).string(v).join();
        writer.join();
      }
      if (s.namespace !== undefined) writer.tag(5, LD).string(s.namespace);
      writer.join().join();
    }
  }
  for (const [key, s] of Object.entries(requirements.schemas ?? {})) {
    writer.tag(3, LD).fork().tag(1, LD).string(key).tag(2, LD).fork();
    if (s.apiVersion !== '') writer.tag(1, LD).string(s.apiVersion);
    if (s.kind !== '') writer.tag(2, LD).string(s.kind);
    writer.join().join();
  }
}

export function encodeResponse(rsp: RunFunctionResponse): Uint8Array {
  const writer = new BinaryWriter();
  if (rsp.meta !== undefined) {
    writer.tag(1, LD).fork();
    if (rsp.meta.tag !== '') writer.tag(1, LD).string(rsp.meta.tag);
    if (rsp.meta.ttl !== undefined) {
      writer.tag(2, LD).fork();
      if (rsp.meta.ttl.seconds !== 0) writer.tag(1, WireType.Varint).int64(rsp.meta.ttl.seconds);
      if (rsp.meta.ttl.nanos !== 0) writer.tag(2, WireType.Varint).int32(rsp.meta.ttl.nanos);
      writer.join();
    }
    writer.join();
  }
  if (rsp.desired !== undefined) {
    writer.tag(2, LD).fork();
    writeState(writer, rsp.desired);
    writer.join();
  }
  for (const r of rsp.results) {
    writer.tag(3, LD).fork();
    if (r.severity !== 0) writer.tag(1, WireType.Varint).int32(r.severity);
    if (r.message !== '') writer.tag(2, LD).string(r.message);
    if (r.reason !== undefined) writer.tag(3, LD).string(r.reason);
    if (r.target !== undefined) writer.tag(4, WireType.Varint).int32(r.target);
    writer.join();
  }
  if (rsp.context !== undefined) {
    writer.tag(4, LD).fork();
    writeStructFields(writer, rsp.context);
    writer.join();
  }
  if (rsp.requirements !== undefined) {
    writer.tag(5, LD).fork();
    writeRequirements(writer, rsp.requirements);
    writer.join();
  }
  for (const c of rsp.conditions) {
    writer.tag(6, LD).fork();
    if (c.type !== '') writer.tag(1, LD).string(c.type);
    if (c.status !== 0) writer.tag(2, WireType.Varint).int32(c.status);
    if (c.reason !== '') writer.tag(3, LD).string(c.reason);
    if (c.message !== undefined) writer.tag(4, LD).string(c.message);
    if (c.target !== undefined) writer.tag(5, WireType.Varint).int32(c.target);
    writer.join();
  }
  if (rsp.output !== undefined) {
    writer.tag(7, LD).fork();
    writeStructFields(writer, rsp.output);
    writer.join();
  }
  return writer.finish();
}
