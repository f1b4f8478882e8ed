import { AUTH_ERROR_MESSAGES, type AuthErrorCode } from '../errors/auth-error-code.js';

/** Every code an `AuthError` can carry, from the messages' record, so a code added there is counted without a list here. */
const CODES = Object.keys(AUTH_ERROR_MESSAGES) as AuthErrorCode[];
const COLUMN_OF = new Map<string, number>(CODES.map((code, column) => [code, column]));
/** The column after the codes counts passes. */
const PASS_COLUMN = CODES.length;

/**
 * Passes and refusals per definition and errorCode, in one preallocated row of numbers per definition (and one for
 * "no single definition"): counting is two map look-ups and an increment, with no allocation. Rows are keyed only by
 * definition names the library hands in (the spec's), columns only by the fixed code set, so no request can add one.
 */
export class OutcomeTable {
  private readonly rows = new Map<string | undefined, Float64Array>();

  constructor(definitions: Iterable<string>) {
    this.row(undefined);
    for (const name of definitions) this.row(name);
  }

  /** Adds one refusal of `definition` with `code`. */
  refuse(definition: string | undefined, code: AuthErrorCode): void {
    const column = COLUMN_OF.get(code);
    if (column !== undefined) this.row(definition)[column]!++;
  }

  /** Adds one pass of `definition`. */
  pass(definition: string | undefined): void {
    this.row(definition)[PASS_COLUMN]!++;
  }

  /** The refusal counts above zero, by definition (the spec's order, `undefined` first) then code (the set's order). */
  refusals(): { definition: string | undefined; errorCode: AuthErrorCode; count: number }[] {
    const counts = [];
    for (const [definition, row] of this.rows) {
      for (let column = 0; column < PASS_COLUMN; column++) {
        if (row[column]! > 0) counts.push({ definition, errorCode: CODES[column]!, count: row[column]! });
      }
    }
    return counts;
  }

  /** The pass counts above zero, by definition. */
  passes(): { definition: string | undefined; count: number }[] {
    const counts = [];
    for (const [definition, row] of this.rows) if (row[PASS_COLUMN]! > 0) counts.push({ definition, count: row[PASS_COLUMN]! });
    return counts;
  }

  /**
   * The row of `definition`. Made at start-up for every definition of the spec; a counters instance built by hand,
   * without a spec, makes each on first use (still only definition names, which the library alone hands in).
   */
  private row(definition: string | undefined): Float64Array {
    let row = this.rows.get(definition);
    if (!row) this.rows.set(definition, (row = new Float64Array(PASS_COLUMN + 1)));
    return row;
  }
}
