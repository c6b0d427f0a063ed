import type { RelevantItem } from './eval-metrics.js';

/** A statement of an answer that cites sources, with the source numbers it cites. */
export interface CitedStatement {
  text: string;
  cited: number[];
}

/** What one answer quotes: its cited statements, and how many of them cite a relevant document. */
export interface AnswerSupport {
  quoted: number;
  supported: number;
}

export interface AnswerReport {
  /** Answers checked (questions that were not refused). */
  answers: number;
  /** Share of answers with at least one cited statement. */
  answered: number;
  /** Cited statements over all answers. */
  quotedSentences: number;
  /** Share of cited statements that cite a relevant document (0 when nothing was quoted). */
  support: number;
}

const MARKER = /\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]/g;
/** A statement ends after its run of citation markers (and the punctuation right after them). */
const AFTER_CITATION = /(?<=\[\s*\d+(?:\s*,\s*\d+)*\s*\][.!?;,]?)\s+/;

/**
 * The statements of an answer that cite a source: each line, cut after each run of
 * citation markers. The extractive answer's "- sentence [n]" lines are one statement
 * each; a model's prose is cut at its citations.
 */
export function citedStatements(answer: string): CitedStatement[] {
  return answer
    .split('\n')
    .flatMap((line) => line.split(AFTER_CITATION))
    .flatMap((text) => {
      const cited = [...text.matchAll(MARKER)].flatMap((match) => match[1]!.split(',').map((n) => Number.parseInt(n.trim(), 10)));
      return cited.length > 0 ? [{ text: text.trim(), cited }] : [];
    });
}

/**
 * Checks an answer against the documents known to answer its question: a cited statement
 * is supported when one of the sources it cites comes from a relevant document.
 * `docOf(n)` names the document of source n (undefined for a number no source has).
 */
export function answerSupport(answer: string, docOf: (n: number) => string | undefined, relevant: readonly RelevantItem[]): AnswerSupport {
  const docs = new Set(relevant.map((item) => item.doc));
  const statements = citedStatements(answer);
  const supported = statements.filter((statement) => statement.cited.some((n) => docs.has(docOf(n) ?? ''))).length;
  return { quoted: statements.length, supported };
}

/** Answer support over all answers: supported statements over all quoted ones, and the share of answers that quote anything. */
export function summariseAnswers(checks: readonly AnswerSupport[]): AnswerReport {
  const quoted = checks.reduce((sum, check) => sum + check.quoted, 0);
  const supported = checks.reduce((sum, check) => sum + check.supported, 0);
  return {
    answers: checks.length,
    answered: shareOf(checks.map((check) => check.quoted > 0)),
    quotedSentences: quoted,
    support: quoted === 0 ? 0 : supported / quoted,
  };
}

/** Share of true values (0 for none), e.g. of questions refused. */
export function shareOf(flags: readonly boolean[]): number {
  return flags.length === 0 ? 0 : flags.filter(Boolean).length / flags.length;
}
