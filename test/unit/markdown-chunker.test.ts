import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNKER_VERSION, DEFAULT_CHUNKING, chunkDocument } from '../../src/ingest/chunk/markdown-chunker.js';
import { parseHtmlSource } from '../../src/ingest/load/html.loader.js';
import type { ChunkDraft, ChunkingOptions } from '../../src/ingest/types.js';
import { countTokens } from '../../src/llm/tokens.js';

const SMALL: ChunkingOptions = { targetTokens: 60, overlapTokens: 12, maxTokens: 100 };

/** Deterministic filler prose: `count` distinct numbered sentences. */
function sentences(count: number, label = 's'): string {
  return Array.from(
    { length: count },
    (_, i) => `Sentence ${label}${i} talks about blood pressure and heart rhythm in adults.`,
  ).join(' ');
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

function expectWellFormed(chunks: ChunkDraft[], options: ChunkingOptions): void {
  chunks.forEach((chunk, i) => {
    expect(chunk.chunkIndex).toBe(i);
    expect(chunk.embeddingText).toBe(`${chunk.headingPath.join(' > ')}\n\n${chunk.content}`);
    expect(chunk.tokenCount).toBe(countTokens(chunk.embeddingText));
    expect(chunk.tokenCount).toBeLessThanOrEqual(options.maxTokens);
    expect(chunk.content.trim()).toBe(chunk.content);
    expect(chunk.content.length).toBeGreaterThan(0);
  });
}

describe('chunkDocument', () => {
  it('when asked for the defaults, then they match the documented budget and version', () => {
    expect(DEFAULT_CHUNKING).toEqual({ targetTokens: 350, overlapTokens: 50, maxTokens: 512 });
    expect(CHUNKER_VERSION).toBe('md-v2');
  });

  it('when sections are small, then each becomes one chunk with its heading path', () => {
    const body = [
      '## Overview',
      '',
      'Andersen-Tawil syndrome is a type of long QT syndrome.',
      '',
      '## Symptoms',
      '',
      'Episodes of muscle weakness.',
      '',
      '### In children',
      '',
      'Delayed growth.',
      '',
      '## Treatment',
      '',
      'Medication.',
    ].join('\n');
    const chunks = chunkDocument({ title: 'Andersen-Tawil syndrome', body }, DEFAULT_CHUNKING);

    expect(chunks.map((c) => c.headingPath)).toEqual([
      ['Andersen-Tawil syndrome', 'Overview'],
      ['Andersen-Tawil syndrome', 'Symptoms'],
      ['Andersen-Tawil syndrome', 'Symptoms', 'In children'],
      ['Andersen-Tawil syndrome', 'Treatment'],
    ]);
    expect(chunks.map((c) => c.content)).toEqual([
      'Andersen-Tawil syndrome is a type of long QT syndrome.',
      'Episodes of muscle weakness.',
      'Delayed growth.',
      'Medication.',
    ]);
    expect(chunks[0]!.embeddingText).toBe(
      'Andersen-Tawil syndrome > Overview\n\nAndersen-Tawil syndrome is a type of long QT syndrome.',
    );
    expectWellFormed(chunks, DEFAULT_CHUNKING);
  });

  it('when text precedes the first heading, then it is a chunk under the title alone', () => {
    const chunks = chunkDocument({ title: 'Asthma', body: 'Intro line.\n\n## Causes\n\nPollen.' }, DEFAULT_CHUNKING);
    expect(chunks.map((c) => [c.headingPath, c.content])).toEqual([
      [['Asthma'], 'Intro line.'],
      [['Asthma', 'Causes'], 'Pollen.'],
    ]);
  });

  it('when the body repeats the title as `# Title`, then the title is not doubled in the path', () => {
    const chunks = chunkDocument({ title: 'Asthma', body: '# Asthma\n\nIntro.\n\n## Causes ##\n\nPollen.' }, DEFAULT_CHUNKING);
    expect(chunks.map((c) => c.headingPath)).toEqual([['Asthma'], ['Asthma', 'Causes']]);
  });

  it('when a heading goes back up a level, then deeper headings leave the path', () => {
    const body = '# Part A\n\n## Detail\n\ntext one\n\n# Part B\n\ntext two';
    const chunks = chunkDocument({ title: 'Doc', body }, DEFAULT_CHUNKING);
    expect(chunks.map((c) => c.headingPath)).toEqual([
      ['Doc', 'Part A', 'Detail'],
      ['Doc', 'Part B'],
    ]);
  });

  it('when a heading-like line is inside a fenced code block, then it is not a heading', () => {
    const body = [
      '## Setup',
      '',
      '```bash',
      '# not a heading',
      'echo hi',
      '```',
      '',
      '~~~~',
      '## also not a heading',
      '```',
      '~~~~',
      '',
      'After the code.',
    ].join('\n');
    const chunks = chunkDocument({ title: 'Guide', body }, DEFAULT_CHUNKING);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(['Guide', 'Setup']);
    expect(chunks[0]!.content).toContain('# not a heading');
    expect(chunks[0]!.content).toContain('## also not a heading');
    expect(chunks[0]!.content).toContain('After the code.');
  });

  it('when a section exceeds the target, then it is split on sentences with overlap from the previous chunk', () => {
    const body = `## Symptoms\n\n${sentences(80)}`;
    const chunks = chunkDocument({ title: 'Hypertension', body }, DEFAULT_CHUNKING);

    expect(chunks.length).toBeGreaterThan(2);
    expectWellFormed(chunks, DEFAULT_CHUNKING);
    for (const chunk of chunks) {
      expect(chunk.headingPath).toEqual(['Hypertension', 'Symptoms']);
      // Whole sentences only: cuts happen at sentence boundaries.
      expect(chunk.content).toMatch(/^Sentence s\d+ .*adults\.$/s);
    }
    for (let i = 1; i < chunks.length; i++) {
      const firstSentence = /^Sentence s\d+ [^.]*\./.exec(chunks[i]!.content)![0];
      expect(chunks[i - 1]!.content).toContain(firstSentence);
      const overlap = chunks[i]!.content.slice(0, chunks[i]!.content.indexOf(firstSentence) + firstSentence.length);
      expect(countTokens(overlap)).toBeLessThanOrEqual(DEFAULT_CHUNKING.overlapTokens);
    }
  });

  it('when a section is split, then the pieces are balanced rather than leaving a crumb', () => {
    const body = `## Causes\n\n${sentences(28)}`; // a little over one target's worth
    const chunks = chunkDocument({ title: 'Gout', body }, DEFAULT_CHUNKING);
    expect(chunks).toHaveLength(2);
    const [a, b] = chunks.map((c) => c.tokenCount);
    expect(Math.min(a!, b!) / Math.max(a!, b!)).toBeGreaterThan(0.5);
  });

  it('when short paragraphs follow each other, then they are packed up to the target', () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} is short.`).join('\n\n');
    const chunks = chunkDocument({ title: 'Notes', body: paragraphs }, SMALL);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.length).toBeLessThan(40);
    expect(chunks[0]!.content).toContain('Paragraph 0 is short.\n\nParagraph 1 is short.');
    expectWellFormed(chunks, SMALL);
  });

  it('when a table or a list fits the limit, then it is never cut', () => {
    const table = ['| Drug | Dose |', '| --- | --- |', ...Array.from({ length: 12 }, (_, i) => `| drug${i} | ${i} mg |`)].join('\n');
    const list = Array.from({ length: 12 }, (_, i) => `- item ${i} about a symptom`).join('\n');
    const body = `## Doses\n\n${sentences(3, 'a')}\n\n${table}\n\n${sentences(3, 'b')}\n\n${list}\n\n${sentences(3, 'c')}`;
    const options: ChunkingOptions = { targetTokens: 80, overlapTokens: 10, maxTokens: 200 };
    const chunks = chunkDocument({ title: 'Meds', body }, options);

    expectWellFormed(chunks, options);
    expect(chunks.filter((c) => c.content.includes(table))).toHaveLength(1);
    expect(chunks.filter((c) => c.content.includes(list))).toHaveLength(1);
  });

  it('when a table is larger than the limit, then it is split by rows with the header repeated', () => {
    const header = '| Symptom | Frequency |\n| --- | --- |';
    const rows = Array.from({ length: 120 }, (_, i) => `| symptom number ${i} | ${i}% |`);
    const body = `## Signs\n\n${header}\n${rows.join('\n')}`;
    const chunks = chunkDocument({ title: 'Syndrome', body }, DEFAULT_CHUNKING);

    expect(chunks.length).toBeGreaterThan(1);
    expectWellFormed(chunks, DEFAULT_CHUNKING);
    for (const chunk of chunks) expect(chunk.content.startsWith(`${header}\n| symptom number`)).toBe(true);
    const seen = chunks.flatMap((c) => c.content.split('\n').slice(2));
    expect(seen).toEqual(rows); // every row once, in order, no overlap inside tables
  });

  it('when a list is larger than the limit, then it is split between items', () => {
    const items = Array.from({ length: 150 }, (_, i) => `- item ${i} describes one more symptom`);
    const chunks = chunkDocument({ title: 'List', body: items.join('\n') }, DEFAULT_CHUNKING);
    expect(chunks.length).toBeGreaterThan(1);
    expectWellFormed(chunks, DEFAULT_CHUNKING);
    for (const chunk of chunks) {
      for (const line of chunk.content.split('\n')) expect(items).toContain(line);
    }
  });

  it('when a code block is larger than the limit, then each piece is still a fenced block', () => {
    const code = Array.from({ length: 200 }, (_, i) => `const value${i} = compute(${i});`).join('\n');
    const chunks = chunkDocument({ title: 'Code', body: `## Script\n\n\`\`\`ts\n${code}\n\`\`\`` }, DEFAULT_CHUNKING);
    expect(chunks.length).toBeGreaterThan(1);
    expectWellFormed(chunks, DEFAULT_CHUNKING);
    for (const chunk of chunks) expect(chunk.content).toMatch(/^```ts\n[\s\S]+\n```$/);
  });

  it('when a heading has no text under it, then it gives no chunk but its children keep it in the path', () => {
    const body = '## Empty\n\n## Parent\n\n### Child\n\nChild text.\n\n## Blank\n\n   \n\n## Last\n\nLast text.';
    const chunks = chunkDocument({ title: 'Doc', body }, DEFAULT_CHUNKING);
    expect(chunks.map((c) => c.headingPath)).toEqual([
      ['Doc', 'Parent', 'Child'],
      ['Doc', 'Last'],
    ]);
  });

  it('when a section is tiny, then it still gets its own chunk', () => {
    const chunks = chunkDocument({ title: 'Flu', body: '## Overview\n\nA virus.\n\n## Outlook\n\nGood.' }, DEFAULT_CHUNKING);
    expect(chunks.map((c) => c.content)).toEqual(['A virus.', 'Good.']);
  });

  it('when the body is empty or only headings, then there are no chunks', () => {
    expect(chunkDocument({ title: 'T', body: '' }, DEFAULT_CHUNKING)).toEqual([]);
    expect(chunkDocument({ title: 'T', body: '  \n\n \n' }, DEFAULT_CHUNKING)).toEqual([]);
    expect(chunkDocument({ title: 'T', body: '# A\n## B\n### C\n' }, DEFAULT_CHUNKING)).toEqual([]);
  });

  it('when the body has CRLF line endings, then the output equals the LF version', () => {
    const lf = `## Overview\n\nFirst paragraph.\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n## Causes\n\n${sentences(60)}`;
    const crlf = lf.replace(/\n/g, '\r\n');
    const fromCrlf = chunkDocument({ title: 'T', body: crlf }, DEFAULT_CHUNKING);
    expect(fromCrlf).toEqual(chunkDocument({ title: 'T', body: lf }, DEFAULT_CHUNKING));
    for (const chunk of fromCrlf) expect(chunk.embeddingText).not.toContain('\r');
  });

  it('when there are no headings, then chunks carry the title alone', () => {
    const chunks = chunkDocument({ title: 'Plain', body: sentences(60) }, DEFAULT_CHUNKING);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.headingPath).toEqual(['Plain']);
  });

  it('when a very long line has no sentence breaks, then it is cut between words within the limit', () => {
    const line = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const chunks = chunkDocument({ title: 'Long', body: line }, DEFAULT_CHUNKING);
    expect(chunks.length).toBeGreaterThan(5);
    expectWellFormed(chunks, DEFAULT_CHUNKING);
    const seen = new Set(chunks.flatMap((c) => words(c.content)));
    for (const word of words(line)) expect(seen.has(word)).toBe(true);
  });

  it('when a single "word" is longer than the limit, then it is cut by tokens and nothing is lost', () => {
    // Not periodic, so every piece has one place in it.
    const blob = Array.from({ length: 2500 }, (_, i) => ((i * 7919) % 10007).toString(36)).join('');
    const chunks = chunkDocument({ title: 'Genome', body: blob }, DEFAULT_CHUNKING);
    expect(chunks.length).toBeGreaterThan(1);
    expectWellFormed(chunks, DEFAULT_CHUNKING);
    // Pieces (with their overlap) cover the blob from end to end without gaps.
    let covered = 0;
    for (const chunk of chunks) {
      const start = blob.indexOf(chunk.content);
      expect(start >= 0 && start <= covered).toBe(true);
      covered = Math.max(covered, start + chunk.content.length);
    }
    expect(covered).toBe(blob.length);
  });

  it('when headings are absurdly long, then the heading path is shortened and the limit holds', () => {
    const longHeading = 'very long heading '.repeat(200).trim();
    const chunks = chunkDocument({ title: longHeading, body: `## ${longHeading}\n\n${sentences(40)}` }, DEFAULT_CHUNKING);
    expect(chunks.length).toBeGreaterThan(0);
    expectWellFormed(chunks, DEFAULT_CHUNKING);
    expect(countTokens(chunks[0]!.headingPath.join(' > '))).toBeLessThanOrEqual(DEFAULT_CHUNKING.maxTokens / 4);
  });

  it('when options are inconsistent, then it throws a RangeError naming the problem', () => {
    expect(() => chunkDocument({ title: 'T', body: 'x' }, { targetTokens: 500, overlapTokens: 50, maxTokens: 400 })).toThrow(
      /maxTokens must be >= targetTokens/,
    );
    expect(() => chunkDocument({ title: 'T', body: 'x' }, { targetTokens: 100, overlapTokens: 100, maxTokens: 400 })).toThrow(
      RangeError,
    );
  });

  it('when the same input is chunked twice, then the output is identical', () => {
    const body = `## A\n\n${sentences(50)}\n\n## B\n\n- x\n- y\n\n| h |\n| - |\n| r |`;
    expect(chunkDocument({ title: 'Same', body }, DEFAULT_CHUNKING)).toEqual(chunkDocument({ title: 'Same', body }, DEFAULT_CHUNKING));
  });

  it('when headings are setext (underlined), then they open sections like ATX headings', () => {
    const body = [
      'Patient guide',
      '=============',
      '',
      'Read this first.',
      '',
      'Allergies',
      '---------',
      '',
      'Peanuts and penicillin.',
      '',
      '### Reactions',
      '',
      'Hives within minutes.',
    ].join('\n');
    const chunks = chunkDocument({ title: 'Patient guide', body }, DEFAULT_CHUNKING);
    expect(chunks.map((c) => [c.headingPath, c.content])).toEqual([
      [['Patient guide'], 'Read this first.'],
      [['Patient guide', 'Allergies'], 'Peanuts and penicillin.'],
      [['Patient guide', 'Allergies', 'Reactions'], 'Hives within minutes.'],
    ]);
  });

  it('when a paragraph of several lines sits over a lone `-`, then it stays text rather than a heading', () => {
    const body = 'Pyrethrins combined with piperonyl butoxide;\nBrand names: A-200, Rid.\n-\n\nPermethrin lotion.';
    const chunks = chunkDocument({ title: 'Head lice', body }, DEFAULT_CHUNKING);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.headingPath).toEqual(['Head lice']);
    expect(chunks[0]!.content).toContain('Brand names: A-200, Rid.');
  });

  it('when a table sits in a section larger than the target, then it is kept whole, row by row, under its header', () => {
    const table = [
      'Drug | Adult dose | Child dose',
      ':--- | ---: | ---',
      ...Array.from({ length: 5 }, (_, i) => `drug${i} | ${i * 10} mg | ${i} mg`),
    ].join('\n');
    const body = `## Doses\n\n${sentences(4, 'a')}\n\n${table}\n\n${sentences(4, 'b')}`;
    const chunks = chunkDocument({ title: 'Meds', body }, SMALL);

    expectWellFormed(chunks, SMALL);
    const holding = chunks.filter((c) => c.content.includes('drug0'));
    expect(holding).toHaveLength(1);
    expect(holding[0]!.content).toContain(table);
  });

  it('when a table row is too large to go with the header, then it becomes "column: value" lines', () => {
    const header = '| Drug | Notes |\n| --- | --- |';
    const longNote = sentences(12, 'n');
    const body = `${header}\n| Aspirin | Take with food. |\n| Warfarin | ${longNote} |\n| Ibuprofen | Short course. |`;
    const chunks = chunkDocument({ title: 'Drugs', body }, SMALL);

    expectWellFormed(chunks, SMALL);
    const contents = chunks.map((c) => c.content);
    expect(contents.filter((c) => c.includes(`${header}\n| Aspirin | Take with food. |`))).toHaveLength(1);
    expect(contents.filter((c) => c.includes(`${header}\n| Ibuprofen | Short course. |`))).toHaveLength(1);
    expect(contents.filter((c) => c.includes('Drug: Warfarin\nNotes: Sentence n0 talks'))).toHaveLength(1);
    expect(contents.some((c) => c.includes('| Warfarin'))).toBe(false);
    const seen = new Set(contents.flatMap(words));
    for (const word of words(longNote)) expect(seen.has(word)).toBe(true);
  });

  it('when a list is split, then no item is cut, even an item larger than the target', () => {
    // Each item is above SMALL's target but within its limit: cut only between items.
    const items = Array.from({ length: 6 }, (_, i) => `- ${sentences(4, `i${i}-`)}`);
    const chunks = chunkDocument({ title: 'Steps', body: `## Steps\n\n${items.join('\n')}` }, SMALL);

    expectWellFormed(chunks, SMALL);
    expect(chunks).toHaveLength(items.length);
    expect(chunks.map((c) => c.content)).toEqual(items);
  });

  it('when list items hold nested lists and fenced code, then each item stays whole', () => {
    const items = [
      '1. Open the settings.\n   - Choose **Billing**.\n   - Choose **Taxes**.',
      '2. Paste the configuration:\n\n   ```yaml\n   # tax rates\n   - rate: 20\n\n   - rate: 5\n   ```',
      `3. ${sentences(3, 'z')}`,
    ];
    const options: ChunkingOptions = { targetTokens: 40, overlapTokens: 8, maxTokens: 100 };
    const chunks = chunkDocument({ title: 'Setup', body: items.join('\n\n') }, options);

    expectWellFormed(chunks, options);
    for (const item of items) expect(chunks.filter((c) => c.content.includes(item))).toHaveLength(1);
    expect(chunks.every((c) => c.headingPath.join() === 'Setup')).toBe(true);
  });

  it('when a fenced block holds blank lines, headings and list markers, then it stays one block in one chunk', () => {
    const code = ['```bash', '# install', '', '- not a list', 'Title', '=====', '', 'echo done', '```'].join('\n');
    const body = `## Install\n\n${sentences(5, 'p')}\n\n${code}\n\n${sentences(5, 'q')}`;
    const chunks = chunkDocument({ title: 'Guide', body }, SMALL);

    expectWellFormed(chunks, SMALL);
    expect(chunks.every((c) => c.headingPath.join(' > ') === 'Guide > Install')).toBe(true);
    expect(chunks.filter((c) => c.content.includes(code))).toHaveLength(1);
  });

  it('when an HTML page with a table goes through turndown, then the table is one chunk with its header row', () => {
    const html = `<html><head><title>Waiting list</title></head><body>
<h2>Priorities</h2>
<p>${sentences(3, 'h')}</p>
<table>
  <caption>Priority levels</caption>
  <thead><tr><th>Priority</th><th>When to use it</th></tr></thead>
  <tbody>
    <tr><td>Urgent</td><td>Seen within days | doctor only</td></tr>
    <tr><td>Normal</td><td>For convenience</td></tr>
  </tbody>
</table>
</body></html>`;
    const doc = parseHtmlSource(html, 'waiting-list.html');
    const chunks = chunkDocument(doc, { targetTokens: 40, overlapTokens: 8, maxTokens: 100 });

    const table = [
      '| Priority | When to use it |',
      '| --- | --- |',
      '| Urgent | Seen within days \\| doctor only |',
      '| Normal | For convenience |',
    ].join('\n');
    const holding = chunks.filter((c) => c.content.includes('Urgent'));
    expect(holding).toHaveLength(1);
    expect(holding[0]!.headingPath).toEqual(['Waiting list', 'Priorities']);
    expect(holding[0]!.content).toContain(`Priority levels\n\n${table}`);
  });

  describe('on random Markdown-ish input', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9'-]{0,11}$/);
    const sentence = fc.array(word, { minLength: 1, maxLength: 40 }).map((ws) => `${ws.join(' ')}.`);
    const paragraph = fc.array(sentence, { minLength: 1, maxLength: 30 }).map((ss) => ss.join(' '));
    const heading = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.array(word, { minLength: 1, maxLength: 6 })).map(
      ([level, ws]) => `${'#'.repeat(level)} ${ws.join(' ')}`,
    );
    const list = fc.array(fc.array(word, { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 60 }).map((items) =>
      items.map((ws, i) => (i % 2 === 0 ? `- ${ws.join(' ')}` : `${i}. ${ws.join(' ')}`)).join('\n'),
    );
    const table = fc
      .array(fc.tuple(word, word, word), { minLength: 1, maxLength: 120 })
      .map((rows) => ['| A | B | C |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
    const code = fc.array(fc.array(word, { minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 80 }).map(
      (lines) => `\`\`\`\n${lines.map((ws) => ws.join(' ')).join('\n')}\n\`\`\``,
    );
    const longLine = fc.array(word, { minLength: 300, maxLength: 900 }).map((ws) => ws.join(' '));
    const block = fc.oneof(
      { weight: 5, arbitrary: paragraph },
      { weight: 3, arbitrary: heading },
      { weight: 1, arbitrary: list },
      { weight: 1, arbitrary: table },
      { weight: 1, arbitrary: code },
      { weight: 1, arbitrary: longLine },
    );
    const body = fc
      .tuple(fc.array(block, { minLength: 0, maxLength: 14 }), fc.boolean())
      .map(([blocks, crlf]) => {
        const text = blocks.join('\n\n');
        return crlf ? text.replace(/\n/g, '\r\n') : text;
      });
    const options = fc.constantFrom<ChunkingOptions>(DEFAULT_CHUNKING, SMALL, { targetTokens: 200, overlapTokens: 0, maxTokens: 256 });

    it('when chunked, then every chunk is within maxTokens and every word of the body is kept', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 30 }), body, options, (title, text, opts) => {
          const chunks = chunkDocument({ title, body: text }, opts);
          expectWellFormed(chunks, opts);

          const seen = new Set(chunks.flatMap((c) => words(c.content)));
          const bodyWords = text
            .split(/\r?\n/)
            .filter((line) => !/^#{1,6} /.test(line)) // heading words live in headingPath
            .flatMap(words);
          for (const w of bodyWords) {
            if (!seen.has(w)) throw new Error(`lost word ${JSON.stringify(w)}`);
          }
          expect(chunkDocument({ title, body: text }, opts)).toEqual(chunks);
        }),
        { numRuns: 150, seed: 20240611 },
      );
    });
  });
});
