import type { SearchHit } from '../retrieval/search.types.js';
import { lastHeading } from './prompt.js';

/** A source the answer cites; `n` is the number the answer text uses for it. */
export interface Citation {
  n: number;
  chunkId: string;
  /** The source document (its id under the collection), or the record part. */
  doc: string;
  title: string;
  heading: string;
  url?: string;
  snippet: string;
}

const SNIPPET_CHARS = 200;
/** `[1]`, `[2, 3]` with the whitespace before it (dropped along with a removed marker). */
const MARKER = /(\s*)\[(\s*\d+\s*(?:,\s*\d+\s*)*)\]/g;
/** The tail that may still become a marker when more text arrives. */
const OPEN_TAIL = /\s*(?:\[[\d,\s]*)?$/;
const MAX_HELD_CHARS = 40;

/**
 * Checks [n] markers against the sources actually given to the model (1..sourceCount)
 * while the answer streams: unknown numbers are removed from the text and reported, so
 * neither the streamed tokens nor the stored answer ever point at a source that was not
 * provided. Text that may be the start of a marker is held back until it is complete.
 */
export class CitationFilter {
  private held = '';
  private readonly cited: number[] = [];
  private readonly removed = new Set<number>();

  constructor(private readonly sourceCount: number) {}

  /** Feeds a piece of the answer; returns the text that can be shown now. */
  push(text: string): string {
    const checked = this.check(this.held + text);
    const tail = OPEN_TAIL.exec(checked)?.[0] ?? '';
    const hold = tail.length <= MAX_HELD_CHARS ? tail.length : 0;
    this.held = checked.slice(checked.length - hold);
    return checked.slice(0, checked.length - hold);
  }

  /** The end of the answer: whatever was held back. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Source numbers cited, in order of first citation. */
  citedNumbers(): number[] {
    return [...this.cited];
  }

  /** Unknown numbers that were removed, ascending. */
  removedNumbers(): number[] {
    return [...this.removed].sort((a, b) => a - b);
  }

  private check(text: string): string {
    return text.replace(MARKER, (marker, space: string, list: string) => {
      const numbers = list.split(',').map((part) => Number.parseInt(part.trim(), 10));
      const known = numbers.filter((n) => n >= 1 && n <= this.sourceCount);
      for (const n of numbers) {
        if (!known.includes(n)) this.removed.add(n);
        else if (!this.cited.includes(n)) this.cited.push(n);
      }
      if (known.length === numbers.length) return marker;
      return known.length === 0 ? '' : `${space}[${known.join(', ')}]`;
    });
  }
}

export interface CheckedAnswer {
  text: string;
  citations: Citation[];
  removedCitations: number[];
}

/** Checks a complete answer (see CitationFilter) against the sources given, `used[n - 1]` being source n. */
export function checkCitations(answer: string, used: SearchHit[]): CheckedAnswer {
  const filter = new CitationFilter(used.length);
  const text = filter.push(answer) + filter.flush();
  return { text, citations: citationsFor(filter.citedNumbers(), used), removedCitations: filter.removedNumbers() };
}

/** The citation list: only the sources cited, in order of first citation. */
export function citationsFor(numbers: number[], used: SearchHit[]): Citation[] {
  return numbers.flatMap((n) => {
    const hit = used[n - 1];
    if (!hit) return [];
    return [
      {
        n,
        chunkId: hit.chunkId,
        doc: hit.sourceId,
        title: hit.title,
        heading: lastHeading(hit),
        ...(hit.url ? { url: hit.url } : {}),
        snippet: snippetOf(hit.content),
      },
    ];
  });
}

function snippetOf(content: string): string {
  const flat = content.replace(/\s+/g, ' ').trim();
  if (flat.length <= SNIPPET_CHARS) return flat;
  const cut = flat.lastIndexOf(' ', SNIPPET_CHARS);
  return `${flat.slice(0, cut > SNIPPET_CHARS / 2 ? cut : SNIPPET_CHARS)}…`;
}
