// Plain JavaScript values straight into google.protobuf.Struct and Value on
// the wire. The generic codec first wraps every value into a Value message
// object, then encodes those; Kubernetes objects are nothing but Structs, so
// skipping that middle step halves the cost of encoding a response.
// Struct: fields = 1 (map<string, Value>). Value: null = 1, number = 2,
// string = 3, bool = 4, struct = 5, list = 6. ListValue: values = 1.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export function writeValue(writer: BinaryWriter, value: unknown): void {
  if (value === null) {
    writer.tag(1, WireType.Varint).int32(0);
  } else if (typeof value === 'number') {
    writer.tag(2, WireType.Bit64).double(value);
  } else if (typeof value === 'string') {
    writer.tag(3, WireType.LengthDelimited).string(value);
  } else if (typeof value === 'boolean') {
    writer.tag(4, WireType.Varint).bool(value);
  } else if (Array.isArray(value)) {
    writer.tag(6, WireType.LengthDelimited).fork();
    for (const item of value) {
      writer.tag(1, WireType.LengthDelimited).fork();
      writeValue(writer, item === undefined ? null : item);
      writer.join();
    }
    writer.join();
  } else if (typeof value === 'object') {
    writer.tag(5, WireType.LengthDelimited).fork();
    writeStructFields(writer, value as Record<string, unknown>);
    writer.join();
  } else {
    // undefined, functions, symbols, bigints: what JSON would drop is written as null.
    writer.tag(1, WireType.Varint).int32(0);
  }
}

/** The fields of a Struct (without its own tag and length). Keys whose value is undefined are left out, as JSON does. */
export function writeStructFields(writer: BinaryWriter, object: Record<string, unknown>): void {
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value === undefined) continue;
    writer.tag(1, WireType.LengthDelimited).fork();
    writer.tag(1, WireType.LengthDelimited).string(key);
    writer.tag(2, WireType.LengthDelimited).fork();
    writeValue(writer, value);
    writer.join();
    writer.join();
  }
}
