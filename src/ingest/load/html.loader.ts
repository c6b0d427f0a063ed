import { gfm } from '@joplin/turndown-plugin-gfm';
import TurndownService from 'turndown';
import { normaliseNewlines, resolveTitle, type ParsedSource } from './markdown.loader.js';

/** The part of the DOM the rules below use (the project compiles without the DOM lib). */
interface DomNode {
  nodeName: string;
  parentNode: DomNode | null;
  nextSibling: DomNode | null;
  children: ArrayLike<DomNode>;
  getAttribute(name: string): string | null;
}

const dom = (node: unknown): DomNode => node as DomNode;

/**
 * HTML to Markdown: ATX headings, `-` bullets, fenced code, GFM pipe tables; scripts,
 * styles, navigation and the document head dropped. Title from <title>, else the
 * first <h1>, else the file name.
 */
export function parseHtmlSource(html: string, fileName: string): ParsedSource {
  const markdown = getTurndown().turndown(normaliseNewlines(html));
  const { title, body } = resolveTitle(markdown, htmlTitle(html), fileName);
  return { title, module: null, url: null, body, metadata: {} };
}

let turndown: TurndownService | undefined;

function getTurndown(): TurndownService {
  turndown ??= createTurndown();
  return turndown;
}

function createTurndown(): TurndownService {
  const service = new TurndownService({
    headingStyle: 'atx',
    bulletListMarker: '-',
    codeBlockStyle: 'fenced',
    emDelimiter: '_',
    strongDelimiter: '**',
  });
  // A string is parsed as a fragment, so <head> content (title, meta) arrives as plain elements.
  service.remove(['script', 'style', 'nav', 'noscript', 'template', 'head', 'title', 'meta', 'link', 'iframe', 'form']);

  // Turndown pads markers to 4 columns (`-   item`); a single space is what people write.
  service.addRule('listItem', {
    filter: 'li',
    replacement: (content, node) => {
      const item = dom(node);
      const parent = item.parentNode;
      let prefix = '- ';
      if (parent?.nodeName === 'OL') {
        const start = Number(parent.getAttribute('start') ?? '1');
        const index = Array.prototype.indexOf.call(parent.children, item);
        prefix = `${(Number.isFinite(start) ? start : 1) + index}. `;
      }
      const text = content
        .replace(/^\n+/, '')
        .replace(/\n+$/, '\n')
        .replace(/\n/gm, `\n${' '.repeat(prefix.length)}`);
      return prefix + text + (item.nextSibling !== null && !text.endsWith('\n') ? '\n' : '');
    },
  });

  // Tables as GFM pipe tables, so the chunker keeps each whole with its header row.
  service.use(gfm);
  return service;
}

function htmlTitle(html: string): string | null {
  const match = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  if (match === null) return null;
  const title = decodeEntities(match[1]!.replace(/<[^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
  return title.length > 0 ? title : null;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}
