/**
 * A response body as loosely typed JSON: API tests assert its shape at run time, which
 * is the point of the test, so static types would only repeat the assertions.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function readJson(response: Response): Promise<Json> {
  return response.json() as Promise<Json>;
}
