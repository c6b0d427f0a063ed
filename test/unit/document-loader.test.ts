import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  describeSkippedLink,
  loadDocumentFile,
  readModuleManifest,
  walkDocumentFiles,
  type LoadResult,
} from '../../src/ingest/load/document-loader.js';
import type { SourceDocument } from '../../src/ingest/types.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'document-loader-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(relative: string, content: string | Uint8Array): Promise<string> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

async function load(relative: string, content: string | Uint8Array, options: { module?: string } = {}): Promise<LoadResult> {
  return loadDocumentFile(root, await put(relative, content), options);
}

async function loadOk(relative: string, content: string, options: { module?: string } = {}): Promise<SourceDocument> {
  const result = await load(relative, content, options);
  if (!result.ok) throw new Error(`expected a document, got ${result.reason}: ${result.message}`);
  return result.document;
}

async function walk(): Promise<string[]> {
  const files: string[] = [];
  for await (const file of walkDocumentFiles(root)) files.push(path.relative(root, file).split(path.sep).join('/'));
  return files;
}

const MEDQUAD_LIKE = `---
title: "Andersen-Tawil syndrome"
source: GARD
url: https://rarediseases.info.nih.gov/gard/9453/andersen-tawil-syndrome
---

# Andersen-Tawil syndrome

## Overview

Andersen-Tawil syndrome is a type of long QT syndrome.

## Symptoms

Episodes of muscle weakness.
`;

describe('loadDocumentFile', () => {
  describe('Markdown', () => {
    it('when the file has front matter, then title and url come from it and other keys go to metadata', async () => {
      const doc = await loadOk('GARD/0000335.md', MEDQUAD_LIKE);

      expect(doc).toMatchObject({
        sourceKind: 'doc',
        sourceId: 'GARD/0000335',
        uri: 'GARD/0000335.md',
        module: 'GARD',
        title: 'Andersen-Tawil syndrome',
        url: 'https://rarediseases.info.nih.gov/gard/9453/andersen-tawil-syndrome',
        metadata: { source: 'GARD' },
        patientId: null,
        allowedDoctorIds: [],
      });
      expect(doc.contentHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('when the body starts with `# Title` equal to the title, then that line is dropped from the body', async () => {
      const doc = await loadOk('GARD/0000335.md', MEDQUAD_LIKE);
      expect(doc.body).toBe(
        '## Overview\n\nAndersen-Tawil syndrome is a type of long QT syndrome.\n\n## Symptoms\n\nEpisodes of muscle weakness.',
      );
    });

    it('when there is no front matter, then the title is the first `# ` heading', async () => {
      const doc = await loadOk('guide.md', 'Some intro.\n\n# Booking guide\n\nText.');
      expect(doc.title).toBe('Booking guide');
      expect(doc.url).toBeNull();
      expect(doc.metadata).toEqual({});
      expect(doc.body).toBe('Some intro.\n\n# Booking guide\n\nText.'); // not leading: kept
    });

    it('when the first heading is underlined with `=`, then it is the title and leaves the body', async () => {
      const doc = await loadOk('allergies.md', 'Allergies\n=========\n\nRecord every allergy.\n\nReactions\n---------\n\nHives.');
      expect(doc.title).toBe('Allergies');
      expect(doc.body).toBe('Record every allergy.\n\nReactions\n---------\n\nHives.');
    });

    it('when there is neither front matter title nor `# ` heading, then the title is the file name humanised', async () => {
      const doc = await loadOk('no-show_policy.markdown', '## Rules\n\nCall a day ahead.');
      expect(doc.title).toBe('No show policy');
      expect(doc.sourceId).toBe('no-show_policy');
    });

    it('when the leading `# ` heading differs from the front matter title, then it is kept', async () => {
      const doc = await loadOk('a.md', '---\ntitle: Official\n---\n# Other\n\nText.');
      expect(doc.title).toBe('Official');
      expect(doc.body).toBe('# Other\n\nText.');
    });

    it('when `# Title` is inside a code fence, then it is not taken as the title', async () => {
      const doc = await loadOk('shell-notes.md', '```\n# not a title\n```\n\n# Real title\n\nText.');
      expect(doc.title).toBe('Real title');
    });

    it('when front matter holds dates and nested values, then metadata is plain JSON', async () => {
      const doc = await loadOk('a.md', '---\ntitle: T\nreviewed: 2024-05-01\ntags: [a, b]\n---\nText.');
      expect(doc.metadata).toEqual({ reviewed: '2024-05-01T00:00:00.000Z', tags: ['a', 'b'] });
    });

    it('when the file uses CRLF and a BOM, then the document equals the LF version', async () => {
      const lf = await loadOk('lf.md', MEDQUAD_LIKE);
      const crlf = await loadOk('crlf.md', `\uFEFF${MEDQUAD_LIKE.replace(/\n/g, '\r\n')}`);
      expect(crlf.body).toBe(lf.body);
      expect(crlf.contentHash).toBe(lf.contentHash);
    });

    it('when the front matter is not valid YAML, then the file is reported as unreadable', async () => {
      const result = await load('bad.md', '---\ntitle: [unclosed\n---\nText.');
      expect(result).toMatchObject({ ok: false, reason: 'unreadable' });
      if (!result.ok) expect(result.message).toContain('bad.md');
    });
  });

  describe('plain text', () => {
    it('when a .txt file is loaded, then paragraphs are kept and the title comes from the file name', async () => {
      const doc = await loadOk('appointments/no-show-policy.txt', 'First paragraph\nstill first.\r\n\r\nSecond paragraph.\n\n\n');
      expect(doc.title).toBe('No show policy');
      expect(doc.body).toBe('First paragraph\nstill first.\n\nSecond paragraph.');
      expect(doc.sourceId).toBe('appointments/no-show-policy');
      expect(doc.module).toBe('appointments');
    });

    it('when a text line looks like a Markdown heading, then it is escaped so it is not one', async () => {
      const doc = await loadOk('notes.txt', '# of visits per year\n\nText.');
      expect(doc.body).toBe('\\# of visits per year\n\nText.');
    });

    it('when a text line is underlined with `-` or `=`, then the underline is escaped so the line is not a heading', async () => {
      const doc = await loadOk('totals.txt', 'Totals\n------\n12 visits.\nAll\n=\n');
      expect(doc.body).toBe('Totals\n\\------\n12 visits.\nAll\n\\=');
    });
  });

  describe('HTML', () => {
    const html = `<!doctype html>
<html><head><title>Clinic &amp; hours</title><style>body { color: red }</style>
<script>console.log("tracking")</script></head>
<body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<h1>Opening hours</h1>
<p>We are open <strong>every</strong> weekday.</p>
<h2>Services</h2>
<ul><li>Blood tests</li><li>Vaccinations</li></ul>
<ol><li>Book</li><li>Come</li></ol>
<table>
  <thead><tr><th>Day</th><th>Hours</th></tr></thead>
  <tbody><tr><td>Monday</td><td>8-17</td></tr><tr><td>Friday</td><td>8 | 12</td></tr></tbody>
</table>
</body></html>`;

    it('when an HTML page is loaded, then it becomes Markdown with ATX headings, dash lists and a pipe table', async () => {
      const doc = await loadOk('clinic/hours.html', html);

      expect(doc.title).toBe('Clinic & hours');
      expect(doc.body).toBe(
        [
          '# Opening hours',
          '',
          'We are open **every** weekday.',
          '',
          '## Services',
          '',
          '- Blood tests',
          '- Vaccinations',
          '',
          '1. Book',
          '2. Come',
          '',
          '| Day | Hours |',
          '| --- | --- |',
          '| Monday | 8-17 |',
          '| Friday | 8 \\| 12 |',
        ].join('\n'),
      );
      expect(doc.body).not.toMatch(/tracking|color|Home|About/);
    });

    it('when there is no <title>, then the first <h1> is the title and leaves the body', async () => {
      const doc = await loadOk('page.htm', '<h1>Vaccines</h1><p>Schedule.</p>');
      expect(doc.title).toBe('Vaccines');
      expect(doc.body).toBe('Schedule.');
    });

    it('when a table has no header cells, then its header row is empty rather than its first data row', async () => {
      const doc = await loadOk('page.htm', '<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>');
      expect(doc.body).toBe('|     |     |\n| --- | --- |\n| a   | b   |\n| c   | d   |');
    });

    it('when the page has only scripts and navigation, then it is reported empty', async () => {
      const result = await load('blank.html', '<html><body><nav>menu</nav><script>x()</script></body></html>');
      expect(result).toMatchObject({ ok: false, reason: 'empty' });
    });
  });

  describe('skipped files', () => {
    it('when a file has a NUL byte, then it is reported as binary, not thrown', async () => {
      const result = await load('scan.md', new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02]));
      expect(result).toEqual({ ok: false, path: path.join(root, 'scan.md'), reason: 'binary', message: expect.stringContaining('scan.md') });
    });

    it('when a file is not valid UTF-8, then it is reported as binary', async () => {
      const result = await load('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
      expect(result).toMatchObject({ ok: false, reason: 'binary' });
    });

    it('when a file is empty or whitespace after front matter, then it is reported as empty', async () => {
      expect(await load('empty.md', '')).toMatchObject({ ok: false, reason: 'empty' });
      expect(await load('spaces.txt', '  \n\t\n')).toMatchObject({ ok: false, reason: 'empty' });
      expect(await load('front-only.md', '---\ntitle: Nothing\n---\n\n   \n')).toMatchObject({ ok: false, reason: 'empty' });
    });

    it('when a file has an unsupported extension, then it is reported as unsupported', async () => {
      expect(await load('report.pdf', 'text')).toMatchObject({ ok: false, reason: 'unsupported' });
    });

    it('when a file does not exist, then it is reported as unreadable', async () => {
      const result = await loadDocumentFile(root, path.join(root, 'missing.md'), {});
      expect(result).toMatchObject({ ok: false, reason: 'unreadable' });
    });

    it('when a file is outside the root, then it is not loaded', async () => {
      const result = await loadDocumentFile(path.join(root, 'sub'), await put('other.md', 'x'), {});
      expect(result).toMatchObject({ ok: false, reason: 'unsupported' });
    });
  });

  describe('module', () => {
    it('when the file is in a subfolder, then the module is the first folder under the root', async () => {
      expect((await loadOk('appointments/deep/reschedule.md', 'x')).module).toBe('appointments');
      expect((await loadOk('appointments/deep/reschedule.md', 'x')).sourceId).toBe('appointments/deep/reschedule');
    });

    it('when the file is at the root, then there is no module', async () => {
      expect((await loadOk('readme.md', 'x')).module).toBeNull();
    });

    it('when front matter names a module, then it wins over the folder', async () => {
      expect((await loadOk('appointments/x.md', '---\nmodule: billing\n---\nx')).module).toBe('billing');
    });

    it('when the caller gives a module, then it wins over front matter and folder', async () => {
      const doc = await loadOk('appointments/x.md', '---\nmodule: billing\n---\nx', { module: 'triage' });
      expect(doc.module).toBe('triage');
    });
  });

  describe('contentHash', () => {
    it('when the same content is loaded again after a touch, then the hash is the same', async () => {
      const file = await put('a/doc.md', MEDQUAD_LIKE);
      const first = await loadDocumentFile(root, file, {});
      await utimes(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
      const second = await loadDocumentFile(root, file, {});
      expect(first.ok && second.ok && first.document.contentHash === second.document.contentHash).toBe(true);
    });

    it('when front matter keys are reordered, then the hash is the same', async () => {
      const a = await loadOk('a.md', '---\ntitle: T\nx: 1\ny: 2\n---\nBody.');
      const b = await loadOk('b.md', '---\ny: 2\nx: 1\ntitle: T\n---\nBody.');
      expect(a.contentHash).toBe(b.contentHash);
    });

    it('when body, title, url, module or metadata change, then the hash changes', async () => {
      const base = '---\ntitle: T\nurl: https://a.example\nsource: S\n---\nBody.';
      const hashes = await Promise.all(
        [
          base,
          base.replace('Body.', 'Body!'),
          base.replace('title: T', 'title: U'),
          base.replace('https://a.example', 'https://b.example'),
          base.replace('source: S', 'source: R'),
          base.replace('source: S', 'source: S\nmodule: m'),
        ].map(async (content, i) => (await loadOk(`h/${i}.md`, content)).contentHash),
      );
      expect(new Set(hashes).size).toBe(hashes.length);
      const sameContentOtherModule = await loadOk('h/0.md', base, { module: 'other' });
      expect(sameContentOtherModule.contentHash).not.toBe(hashes[0]);
    });
  });
});

describe('walkDocumentFiles', () => {
  it('when the tree has mixed files, then supported files come in a stable sorted order without dot files, node_modules or manifests', async () => {
    for (const file of [
      'b/2.md',
      'b/10.md',
      'a.txt',
      'B-upper.md',
      'c/page.html',
      'c/page.htm',
      'c/notes.markdown',
      'c/_module.json',
      'c/image.png',
      '.hidden.md',
      '.git/HEAD.md',
      'd/.draft.md',
      'node_modules/pkg/readme.md',
      'z.MD',
    ]) {
      await put(file, 'content');
    }
    const expected = ['B-upper.md', 'a.txt', 'b/10.md', 'b/2.md', 'c/notes.markdown', 'c/page.htm', 'c/page.html', 'z.MD'];
    expect(await walk()).toEqual(expected);
    expect(await walk()).toEqual(expected);
  });

  it('when the root is empty, then nothing is yielded', async () => {
    expect(await walk()).toEqual([]);
  });

  it('when the tree holds symbolic links, then they are not followed, and each is reported: out of the folder or not', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'document-loader-outside-'));
    try {
      await writeFile(path.join(outside, 'secret.md'), '# Secret');
      await put('guides/page.md', '# Page');
      await symlink(path.join(outside, 'secret.md'), path.join(root, 'guides', 'secret.md'));
      await symlink(outside, path.join(root, 'elsewhere'));
      await symlink(path.join(root, 'guides', 'page.md'), path.join(root, 'alias.md'));
      await symlink(path.join(root, 'missing.md'), path.join(root, 'broken.md'));
      await symlink(path.join(outside, 'secret.md'), path.join(root, 'picture.png'));
      await writeFile(path.join(outside, 'data.bin'), 'bytes');
      await symlink(path.join(outside, 'data.bin'), path.join(root, 'notes.md'));
      const links: string[] = [];

      const files: string[] = [];
      for await (const file of walkDocumentFiles(root, { onLink: (link) => links.push(link) })) files.push(path.relative(root, file));

      expect(files).toEqual(['guides/page.md']);
      const described = await Promise.all(links.map(async (link) => [path.relative(root, link), (await describeSkippedLink(root, link))?.reason ?? null]));
      expect(described).toEqual([
        ['alias.md', 'symlink'],
        ['broken.md', 'symlink'],
        ['elsewhere', 'symlink_outside_folder'],
        ['notes.md', 'symlink_outside_folder'],
        ['picture.png', null],
        ['guides/secret.md', 'symlink_outside_folder'],
      ]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('loadDocumentFile with links', () => {
  it('when a folder on the way to a file leads outside the indexed folder, then the file is skipped, not read', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'document-loader-outside-'));
    try {
      await writeFile(path.join(outside, 'secret.md'), '# Secret\n\nNot for the index.');
      await symlink(outside, path.join(root, 'swapped'));

      const result = await loadDocumentFile(root, path.join(root, 'swapped', 'secret.md'));

      expect(result).toMatchObject({ ok: false, reason: 'outside_folder' });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('when a module manifest is a link to a file outside the folder, then it is refused without quoting that file', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'document-loader-outside-'));
    try {
      await writeFile(path.join(outside, 'passwd'), 'root:x:0:0:root:/root:/bin/bash');
      await mkdir(path.join(root, 'billing'));
      await symlink(path.join(outside, 'passwd'), path.join(root, 'billing', '_module.json'));

      const error = await readModuleManifest(path.join(root, 'billing'), root).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/link leading outside the indexed folder/);
      expect((error as ValidationError).message).not.toContain('root:x');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('readModuleManifest', () => {
  it('when there is no manifest, then it returns null', async () => {
    expect(await readModuleManifest(root)).toBeNull();
  });

  it('when the manifest is valid, then it returns its fields', async () => {
    await put('_module.json', JSON.stringify({ name: 'appointments', title: 'Appointments', description: 'Booking rules' }));
    expect(await readModuleManifest(root)).toEqual({ name: 'appointments', title: 'Appointments', description: 'Booking rules' });
  });

  it('when the manifest is missing its name, then a ValidationError names the file and the field', async () => {
    await put('_module.json', JSON.stringify({ title: 'No name' }));
    const error = await readModuleManifest(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(path.join(root, '_module.json'));
    expect((error as ValidationError).message).toContain('name');
    expect((error as ValidationError).code).toBe('invalid_module_manifest');
  });

  it('when the manifest is not JSON, then a ValidationError names the file', async () => {
    await put('_module.json', '{ name: appointments');
    await expect(readModuleManifest(root)).rejects.toThrow(/_module\.json is not valid JSON/);
  });
});
