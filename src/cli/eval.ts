import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { positiveInteger, cliSetup, runCommand } from './cli-options.js';
import { z } from 'zod';
import type { ChatDependencies } from '../chat/chat.use-case.js';
import { checkCitations } from '../chat/citations.js';
import { buildAnswerPrompt } from '../chat/prompt.js';
import { Prng } from '../lib/prng.js';
import { answerSupport, shareOf, summariseAnswers, type AnswerReport, type AnswerSupport } from '../retrieval/answer-support.js';
import { Bm25Index } from '../retrieval/bm25-baseline.js';
import { evaluateRetrieval, type EvalReport, type LevelMetrics, type RankedHit } from '../retrieval/eval-metrics.js';
import { isRefused } from '../retrieval/refusal.js';
import type { Retriever, SearchHit } from '../retrieval/search.types.js';
import { createServices } from '../services.js';

/**
 * `npm run eval -- --questions <file.jsonl>`: recall@1/5/10 and MRR@10 of the service's
 * search over the ingested corpus, at document level and (when the file names sections)
 * section level, optionally beside a plain BM25 baseline over the same chunks.
 *
 * It also reports refusals (the share of on-topic questions, and with `--off-topic` of
 * off-topic ones, whose search found nothing, so the chat would say so) and answer
 * support: the chat path's prompt is answered by the configured chat model, and each
 * cited statement counts as supported when its source comes from a relevant document.
 * Answers run offline (the extractive answerer) by default; a language model only with
 * `--answers`.
 */
const QuestionSchema = z.object({
  qid: z.string().optional(),
  question: z.string().min(1),
  relevant: z.array(z.object({ doc: z.string(), section: z.string().nullish() })).min(1),
});
type Question = z.infer<typeof QuestionSchema>;

interface Options {
  questions: string;
  offTopic?: string;
  answers?: boolean;
  k: number;
  sample?: number;
  seed: number;
  baseline?: 'bm25';
  concurrency: number;
  json?: boolean;
}

const program = new Command()
  .name('eval')
  .description('Measure retrieval on questions with known answers.')
  .requiredOption('--questions <file>', 'JSON Lines: {"question", "relevant": [{"doc", "section"?}]}')
  .option('--off-topic <file>', 'questions no document answers, one a line: report the share refused')
  .option('--answers', 'also measure answer support when the chat model is a language model (it is called once per question)')
  .option('--k <n>', 'results retrieved per question (metrics look at the top 10)', positiveInteger, 10)
  .option('--sample <n>', 'evaluate a random sample of this many questions', positiveInteger)
  .option('--seed <n>', 'seed of the sample', positiveInteger, 42)
  .option('--baseline <name>', 'also run a baseline over the same chunks (bm25)')
  .option('--concurrency <n>', 'questions in flight at once', positiveInteger, 4)
  .option('--json', 'print one JSON object')
  .action(async (options: Options) => {
    const questions = sample(await readQuestions(options.questions), options.sample, options.seed);
    const { config, logger } = cliSetup();
    const services = await createServices(config, logger);
    try {
      const started = performance.now();
      const retrieved = await mapConcurrent(questions, options.concurrency, (question) => searchDocs(services.retriever, question.question, options.k));
      const hybridMs = performance.now() - started;
      const hybrid = evaluateRetrieval(questions.map((question, index) => toEvalQuestion(question, index, retrieved[index]!.map(toRankedHit))));

      // Refusals and answers are judged on what the chat path sees: a search for its own number of hits.
      const chat = services.chat.chat;
      const chatSearch = (query: string, done?: SearchHit[]) =>
        done && options.k === chat.limits.searchK ? Promise.resolve(done) : searchDocs(services.retriever, query, chat.limits.searchK);
      const runAnswers = chat.model.offline || options.answers === true;
      const onTopic = await mapConcurrent(questions, options.concurrency, async (question, index) => {
        const hits = await chatSearch(question.question, retrieved[index]);
        const refused = isRefused(hits);
        return { refused, support: runAnswers && !refused ? await supportOfAnswer(chat, question, hits) : null };
      });
      const offTopic = options.offTopic ? await readLines(options.offTopic) : [];
      const offTopicRefused = await mapConcurrent(offTopic, options.concurrency, async (question) => isRefused(await chatSearch(question)));

      let baseline: EvalReport | undefined;
      if (options.baseline === 'bm25') {
        const { rows } = await services.db.pool.query<{ source_id: string; heading_path: string[]; title: string; content: string }>(
          `SELECT source_id, heading_path, title, content FROM llm_assistant.docs_chunks WHERE source_kind = 'doc'`,
        );
        const index = new Bm25Index(rows.map((row) => `${row.heading_path.join(' ')}\n${row.content}`));
        baseline = evaluateRetrieval(
          questions.map((question, i) =>
            toEvalQuestion(
              question,
              i,
              index.search(question.question, options.k).map((hit) => ({
                doc: rows[hit.index]!.source_id,
                section: rows[hit.index]!.heading_path[1] ?? null,
              })),
            ),
          ),
        );
      }

      const result = {
        questions: questions.length,
        ...(options.sample ? { sample: { size: options.sample, seed: options.seed } } : {}),
        embedder: services.embedder.model,
        doc: figures(hybrid.document),
        ...(hybrid.section.questions > 0 ? { section: figures(hybrid.section) } : {}),
        ...(baseline
          ? { baseline: { name: 'bm25', doc: figures(baseline.document), ...(baseline.section.questions > 0 ? { section: figures(baseline.section) } : {}) } }
          : {}),
        msPerQuestion: Math.round((hybridMs / Math.max(1, questions.length)) * 10) / 10,
        refusal: {
          onTopicRefused: round(shareOf(onTopic.map((outcome) => outcome.refused))),
          onTopicQuestions: questions.length,
          ...(options.offTopic ? { offTopicRefused: round(shareOf(offTopicRefused)), offTopicQuestions: offTopic.length } : {}),
          refusedOnTopic: questions.flatMap((question, index) => (onTopic[index]!.refused ? [{ qid: question.qid, question: question.question }] : [])),
          ...(options.offTopic ? { answeredOffTopic: offTopic.filter((_, index) => !offTopicRefused[index]) } : {}),
        },
        answers: runAnswers
          ? answerFigures(chat.model.model, questions, onTopic.map((outcome) => outcome.support))
          : { model: chat.model.model, skipped: 'the chat model is a language model; pass --answers to call it once per question' },
        missed: hybrid.missed.map((miss) => ({ ...miss, question: questions[Number(miss.id)]?.question, qid: questions[Number(miss.id)]?.qid })),
      };
      if (options.json) console.log(JSON.stringify(result));
      else printTable(result);
    } finally {
      await services.close();
    }
  });

function toEvalQuestion(question: Question, index: number, ranked: RankedHit[]) {
  return { id: String(index), ranked, relevant: question.relevant };
}

/** The documentation search the evaluation measures (no doctor: no record is visible). */
async function searchDocs(retriever: Retriever, query: string, k: number): Promise<SearchHit[]> {
  return retriever.search({ question: await retriever.embed(query), k, scope: { doctorId: null } });
}

function toRankedHit(hit: SearchHit): RankedHit {
  return { doc: hit.sourceId, section: hit.headingPath[1] ?? null };
}

/**
 * Answers a question the way the chat path does (its prompt, its source budget, its
 * citation check, no conversation) and counts the cited statements that cite a relevant
 * document.
 */
async function supportOfAnswer(chat: ChatDependencies, question: Question, hits: SearchHit[]): Promise<AnswerSupport> {
  const prompt = buildAnswerPrompt({ question: question.question, hits, summary: '', recentTurns: [], sourceTokens: chat.limits.sourceTokens });
  const result = await chat.model.generate(prompt.request);
  const { text } = checkCitations(result.text, prompt.used);
  return answerSupport(text, (n) => prompt.used[n - 1]?.sourceId, question.relevant);
}

function answerFigures(model: string, questions: Question[], supports: Array<AnswerSupport | null>) {
  const report: AnswerReport = summariseAnswers(supports.flatMap((support) => (support ? [support] : [])));
  return {
    model,
    support: round(report.support),
    answered: round(report.answered),
    quotedSentences: report.quotedSentences,
    answers: report.answers,
    unsupported: questions.flatMap((question, index) => {
      const support = supports[index];
      return support && support.supported < support.quoted ? [{ qid: question.qid, question: question.question, ...support }] : [];
    }),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function figures(metrics: LevelMetrics) {
  return {
    'recall@1': round(metrics.recallAt1),
    'recall@5': round(metrics.recallAt5),
    'recall@10': round(metrics.recallAt10),
    'mrr@10': round(metrics.mrrAt10),
  };
}

function printTable(result: {
  questions: number;
  embedder: string;
  doc: Record<string, number>;
  section?: Record<string, number>;
  baseline?: { doc: Record<string, number>; section?: Record<string, number> };
  msPerQuestion: number;
  refusal: { onTopicRefused: number; onTopicQuestions: number; offTopicRefused?: number; offTopicQuestions?: number };
  answers: { model: string; skipped?: string; support?: number; answered?: number; quotedSentences?: number; answers?: number; unsupported?: unknown[] };
  missed: unknown[];
}): void {
  const columns = ['recall@1', 'recall@5', 'recall@10', 'mrr@10'];
  const row = (name: string, values?: Record<string, number>) =>
    values ? `${name.padEnd(22)}${columns.map((c) => String(values[c]).padStart(11)).join('')}` : '';
  console.log(`${result.questions} questions, embedder ${result.embedder}, ${result.msPerQuestion} ms per question`);
  console.log(`${''.padEnd(22)}${columns.map((c) => c.padStart(11)).join('')}`);
  console.log(row('hybrid, document', result.doc));
  if (result.section) console.log(row('hybrid, section', result.section));
  if (result.baseline) {
    console.log(row('bm25, document', result.baseline.doc));
    if (result.baseline.section) console.log(row('bm25, section', result.baseline.section));
  }
  console.log(`${result.missed.length} questions missed in the top 5 (see --json for the list)`);
  const { refusal, answers } = result;
  const offTopic =
    refusal.offTopicRefused === undefined ? 'no off-topic questions (--off-topic FILE)' : `${percent(refusal.offTopicRefused)} of ${refusal.offTopicQuestions} off-topic questions`;
  console.log(`refused: ${percent(refusal.onTopicRefused)} of ${refusal.onTopicQuestions} on-topic questions, ${offTopic}`);
  if (answers.skipped) console.log(`answers (${answers.model}): not measured, ${answers.skipped}`);
  else {
    console.log(
      `answers (${answers.model}): support ${answers.support} over ${answers.quotedSentences} quoted sentences; ` +
        `${percent(answers.answered ?? 0)} of ${answers.answers} answers quote at least one; ` +
        `${answers.unsupported?.length ?? 0} quote a document not known to answer (see --json)`,
    );
  }
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** One question a line; blank lines skipped. */
async function readLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

async function readQuestions(file: string): Promise<Question[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  return lines.flatMap((line, index) => {
    if (line.trim() === '') return [];
    const parsed = QuestionSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${file}:${index + 1}: ${parsed.error.issues[0]?.message ?? 'invalid question'}`);
    return [parsed.data];
  });
}

/** A seeded Fisher-Yates sample: the same seed always picks the same questions. */
function sample<T>(items: T[], size: number | undefined, seed: number): T[] {
  if (!size || size >= items.length) return items;
  const prng = new Prng(seed, 0x9e3779b9, 0x243f6a88, 0xb7e15162);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(prng.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, size);
}

async function mapConcurrent<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}

await runCommand(program);
