import { SpecError } from './spec-error.js';

/** A field of a service configuration message as read: its value and the spelling the object gave it under. */
export interface ProtoField {
  value: unknown;
  /** The key the value was found under (the proto name when the object has neither), for messages. */
  name: string;
}

/**
 * Reads the field `protoName` (`jwks_uri`) of a `google.api.Service` message as a proto3 JSON parser does: under its
 * proto name or under its JSON name (`jwksUri`, what `gcloud endpoints configs describe` prints). An object giving
 * both is a start-up error, as protobuf refuses it ("duplicate field"), since which one ESP ran cannot be told.
 */
export function protoField(object: Record<string, unknown>, protoName: string, where: string, source: string): ProtoField {
  const jsonName = jsonNameOf(protoName);
  const proto = object[protoName];
  if (jsonName === protoName) return { value: proto, name: protoName };
  const json = object[jsonName];
  if (proto !== undefined && json !== undefined) {
    throw new SpecError(
      source,
      `${where} gives ${protoName} twice, as ${protoName} and as ${jsonName} (its proto3 JSON name); keep one (protobuf's JSON parser refuses this too: "duplicate field")`,
    );
  }
  return json !== undefined ? { value: json, name: jsonName } : { value: proto, name: protoName };
}

/** A proto field's default JSON name as protoc derives it: every `_` dropped and the character after it upper-cased. */
export function jsonNameOf(protoName: string): string {
  let name = '';
  let upper = false;
  for (const character of protoName) {
    if (character === '_') upper = true;
    else {
      name += upper ? character.toUpperCase() : character;
      upper = false;
    }
  }
  return name;
}
