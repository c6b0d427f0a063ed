import { humaniseFileName, normaliseNewlines, tidyBody, type ParsedSource } from './markdown.loader.js';

/**
 * Plain text: paragraphs kept as they are, title from the file name. Lines that
 * Markdown would read as a heading (`# x`, or a `---` / `===` line under text) or a
 * code fence are escaped, so that the chunker sees the text the author wrote and not
 * structure that isn't there.
 */
export function parseTextSource(text: string, fileName: string): ParsedSource {
  const body = normaliseNewlines(text).replace(/^( {0,3})(#{1,6}(?:[ \t]|$)|`{3,}|~{3,}|[-=]+[ \t]*$)/gm, '$1\\$2');
  return { title: humaniseFileName(fileName), module: null, url: null, body: tidyBody(body), metadata: {} };
}
