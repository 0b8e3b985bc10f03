// The Duo Workflow Service's gRPC contract as a grpc-js service: parsed from the verbatim proto on first use, so commands
// that make no gRPC call never load @grpc/grpc-js, @grpc/proto-loader or protobufjs.
import type * as Grpc from '@grpc/grpc-js';
import { CONTRACT_PROTO } from './contract-proto.js';

/** grpc-js and the contract's `DuoWorkflow` service (the proto has no package: its full name is `DuoWorkflow`). */
export interface Contract {
  grpc: typeof Grpc;
  DuoWorkflow: Grpc.ServiceClientConstructor;
}

/** The service's full name, as in `/DuoWorkflow/ListTools`. */
export const SERVICE_NAME = 'DuoWorkflow';

let loading: Promise<Contract> | undefined;

/** A CommonJS module's exports, whether the importer lifted named exports or only gave `default`. */
function commonJs<T extends object>(namespace: T): T {
  const fallback = (namespace as { default?: T }).default;
  return fallback && typeof fallback === 'object' ? fallback : namespace;
}

/** Loads grpc-js and the contract once per process. */
export function loadContract(): Promise<Contract> {
  return (loading ??= load());
}

async function load(): Promise<Contract> {
  // All three are CommonJS: module.exports is the default export (a bundle may not lift named ones).
  const [grpcNs, loaderNs, protobufNs] = await Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader'), import('protobufjs')]);
  const grpc = commonJs(grpcNs);
  const loader = commonJs(loaderNs);
  const { parse, common } = protobufNs.default;
  const { root } = parse(CONTRACT_PROTO, { keepCase: true });
  // The contract imports google/protobuf/struct.proto; protobufjs ships it among its common types.
  const struct = common.get('google/protobuf/struct.proto');
  if (!struct?.nested) throw new Error('protobufjs lacks google/protobuf/struct.proto');
  root.addJSON(struct.nested);
  const definition = loader.fromJSON(root.toJSON(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const service = grpc.loadPackageDefinition(definition)[SERVICE_NAME];
  if (typeof service !== 'function') throw new Error(`the contract has no ${SERVICE_NAME} service`);
  return { grpc, DuoWorkflow: service as Grpc.ServiceClientConstructor };
}

/** A google.protobuf.Struct as proto-loader represents it, from a plain JSON object. */
export type StructValue =
  | { kind: 'nullValue'; nullValue: 'NULL_VALUE' }
  | { kind: 'numberValue'; numberValue: number }
  | { kind: 'stringValue'; stringValue: string }
  | { kind: 'boolValue'; boolValue: boolean }
  | { kind: 'structValue'; structValue: Struct }
  | { kind: 'listValue'; listValue: { values: StructValue[] } };
export interface Struct {
  fields: Record<string, StructValue>;
}

function toValue(value: unknown): StructValue {
  if (value === null || value === undefined) return { kind: 'nullValue', nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { kind: 'numberValue', numberValue: value };
  if (typeof value === 'string') return { kind: 'stringValue', stringValue: value };
  if (typeof value === 'boolean') return { kind: 'boolValue', boolValue: value };
  if (Array.isArray(value)) return { kind: 'listValue', listValue: { values: value.map(toValue) } };
  return { kind: 'structValue', structValue: toStruct(value as Record<string, unknown>) };
}

/** Encodes a JSON object as a Struct. */
export function toStruct(object: Record<string, unknown>): Struct {
  return { fields: Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toValue(v)])) };
}

function fromValue(value: StructValue | undefined): unknown {
  switch (value?.kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return fromStruct(value.structValue);
    case 'listValue':
      return value.listValue.values.map(fromValue);
    default:
      return null;
  }
}

/** Decodes a Struct into a JSON object. */
export function fromStruct(struct: Struct | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([k, v]) => [k, fromValue(v)]));
}
