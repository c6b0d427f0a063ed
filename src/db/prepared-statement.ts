import type pg from 'pg';

/** Builds the query of a prepared statement for one call's values. */
export type PreparedStatement = (values?: unknown[]) => pg.QueryConfig;

/**
 * A statement every request runs, sent as a named prepared statement: each connection
 * has PostgreSQL parse it once and afterwards only binds and executes it. An unnamed
 * statement is parsed again on every call, and a chat request runs several.
 * pg refuses one name with two texts, so each name belongs to exactly one statement.
 */
export function preparedStatement(name: string, text: string): PreparedStatement {
  return (values = []) => ({ name, text, values });
}
