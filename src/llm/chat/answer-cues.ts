import { analyseWords, normaliseText } from '../embeddings/offline-embedder.js';

/**
 * What a question asks for and what a sentence answers, in the plain words any medical
 * question and answer use. The extractive answerer boosts sentences that answer the kind
 * asked; it never quotes a sentence for its kind alone.
 *
 * All patterns run on normalised text (lower case, accents removed, everything but letters
 * and digits turned into single spaces) and match at the start of a word, so "treat"
 * covers "treated", "treatment" and "treating".
 */
export type AnswerKind =
  | 'definition'
  | 'symptoms'
  | 'causes'
  | 'diagnosis'
  | 'treatment'
  | 'prevention'
  | 'outlook'
  | 'inheritance'
  | 'risk';

interface KindCues {
  /** Words in a question that ask for this kind of answer. */
  asks: readonly string[];
  /** Words in a sentence, or in the headings above it, that give this kind of answer. */
  says: readonly string[];
}

/** "Lower" and "reduce" ask for treatment, unless what is lowered is a risk (prevention). */
const NOT_A_RISK = '(?! (the |my |your |their |his |her |a )?(risk|chance))';

const CUES: Record<AnswerKind, KindCues> = {
  definition: {
    asks: ['defin', 'meaning of', 'what does (\\w+ ){1,5}mean\\b', 'stand for'],
    says: ['(is|are) (a|an|the name|one of|any)\\b', 'refers? to', 'means\\b', '(type|kind|form|group|family) of', 'known as', 'called\\b', 'overview', 'definition', 'describes?\\b'],
  },
  symptoms: {
    asks: ['symptom', 'signs?\\b', 'feel', 'look like', 'present(s|ation)?\\b', 'manifest', 'warning'],
    says: [
      'symptom', 'signs?\\b', 'feel', 'pain(s|ful)?\\b', 'ache', 'swell', 'swollen', 'rash', 'fever', 'tired', 'fatigue', 'itch', 'bleed',
      'cough', 'nause', 'vomit', 'dizz', 'numb', 'weak', 'short(ness)? of breath', 'headache', 'sore\\b', 'lump', 'notice',
      'experience', 'suffer', 'trouble', 'difficult', 'loss of', 'blurr', 'seizure', 'confus', 'warning',
    ],
  },
  causes: {
    asks: ['caus', 'why\\b', 'reason', 'trigger', 'lead to', 'leads to', 'etiolog', 'how do (you|people|i|we) get\\b', 'come from', 'comes from'],
    says: [
      'caus', 'because', 'due to', 'results? (from|of)', 'resulting from', 'leads? to', 'trigger', 'responsible for', 'comes? from',
      'arises?\\b', '(develops?|occurs?|happens?) when', 'linked to', 'associated with', 'infection', 'virus', 'bacteri',
    ],
  },
  diagnosis: {
    asks: ['diagnos', 'test', 'exam', 'detect', 'screen', 'confirm', 'find out', 'tell if', 'know if', 'check', 'imaging', 'biops', 'scan'],
    says: [
      'diagnos', 'test', 'exam', 'scan', 'x ray', 'mri\\b', 'ct\\b', 'ultrasound', 'biops', 'blood (test|sample|work)', 'sample',
      'measur', 'detect', 'screen', 'check', 'confirm', 'imaging', 'laborator', 'lab\\b',
    ],
  },
  treatment: {
    asks: [
      'treat', 'therap', 'cure\\b', 'manag', 'medicat', 'medicine', 'drug', 'surger', 'surgical', 'remed', 'reliev', 'relief',
      'get rid of', 'heal', `lower\\b${NOT_A_RISK}`, `reduce\\b${NOT_A_RISK}`, 'control', 'helps?\\b', 'options?\\b',
    ],
    says: [
      'treat', 'therap', 'chemo', 'medic', 'drug', 'surger', 'surgical', 'operat', 'remov', 'prescri', 'cream', 'ointment',
      'lotion', 'antibiotic', 'painkiller', 'dose', 'pills?\\b', 'tablet', 'inject', 'manag', 'control', 'reliev', 'relief', 'eas(e|es|ing)\\b', 'reduc', 'lower',
      'cure', 'lifestyle', 'diet', 'exercis', 'physical activity', 'active\\b', 'weight', 'rest\\b', 'rehabilit', 'counsel',
      'transplant', 'radiation',
    ],
  },
  prevention: {
    asks: ['prevent', 'avoid', 'protect', 'stop (\\w+ )?(getting|catching|spreading)', 'keep from', '(lower|reduce|cut)( the| my| your| their)? (risk|chance)', 'vaccin'],
    says: [
      'prevent', 'avoid', 'protect', '(reduc|lower|cut)\\w* (\\w+ )?(the |your |their )?(risk|chance)', 'vaccin', 'immuni', 'screen',
      'wash', 'healthy', 'lifestyle', 'quit', 'stop smoking', 'limit', 'stay away', 'safe',
    ],
  },
  outlook: {
    asks: ['outlook', 'prognos', 'life expectancy', 'surviv', 'recover', 'long term', 'go(es)? away', 'curable', 'fatal', 'deadly', 'die\\b', 'dying', 'what to expect', 'chances?\\b', 'get better', 'permanent'],
    says: [
      'outlook', 'prognos', 'surviv', 'recover', 'life expectancy', 'most people', 'go(es)? away', 'resolve', 'improve',
      '(get|gets|getting) (worse|better)', 'worsen', 'progress', 'fatal', 'die\\b', 'dies\\b', 'death', 'mortality', 'chronic',
      'lifelong', 'permanent', 'cure', 'curable', 'expect', 'normal life', 'disabilit', 'complication',
    ],
  },
  inheritance: {
    asks: ['inherit', 'hereditar', 'genetic', 'genes?\\b', 'mutation', 'pass(ed)? (it )?(down|on)', 'runs? in (the )?famil', 'familial', 'chromosom', 'dna\\b', 'carrier'],
    says: [
      'inherit', 'genes?\\b', 'genetic', 'mutation', 'autosomal', 'recessive', 'dominant', 'x linked', 'chromosom', 'parents?\\b',
      'famil', 'passed (down|on|from)', 'copies', 'copy of', 'carrier', 'variant', 'de novo', 'sporadic',
    ],
  },
  risk: {
    asks: ['risk', 'who (is|are|can|gets?)\\b', 'more likely', 'susceptib', 'how (common|many|often)', 'prevalen', 'frequen', 'incidence'],
    says: [
      'risk', '(more |most )?likely', '(more|most) common', 'common (in|among)', 'ages?\\b', 'older', 'younger', 'women', 'men\\b',
      'children', 'people (who|with|over|under|of)', 'family history', 'prevalen', 'frequen', 'affects? (about|one|more|mostly|mainly)',
      'percent', 'out of every', 'estimated', 'incidence', 'occurs? in',
    ],
  },
};

const cuePattern = (fragments: readonly string[], flags = ''): RegExp => new RegExp(`\\b(?:${fragments.join('|')})`, flags);
const ASKS = Object.entries(CUES).map(([kind, cues]) => ({ kind: kind as AnswerKind, pattern: cuePattern(cues.asks) }));
const SAYS = Object.entries(CUES).map(([kind, cues]) => ({ kind: kind as AnswerKind, pattern: cuePattern(cues.says, 'g') }));

/** "What is X?" with a short X and no "of"/"for": a request for a definition, not for a property of X. */
const WHAT_IS = /^(what|who) (is|are)\b(?!.*\b(of|for|to|in|with|after|before|during|when|if|do|does)\b)/;

/** Medicines by their generic words and by the stems of international nonproprietary names (statins, -pril, -mycin...). */
const MEDICINE = new RegExp(
  '^(medicat|medicin|drug|pill|tablet|capsule|prescri|pharmac|antibiotic|statin|insulin|steroid|vaccin)|' +
    '(statin|pril|sartan|olol|dipine|cillin|mycin|cycline|floxacin|azole|prazole|tidine|parin|farin|profen|caine|triptan|xaban|formin|gliptin|gliflozin|semide|thiazide|oxetine|zepam|zolam|mab|tinib)s?$',
);
const SURGERY = /^(surg|operat|transplant|amputat)/;
/** Words that stand for a family of treatments: excluding one excludes the whole family. */
const FAMILIES: readonly RegExp[] = [MEDICINE, SURGERY];

/** The kinds of answer a question asks for (a definition only when it asks for nothing more specific). */
export function askedKinds(question: string): Set<AnswerKind> {
  const text = normaliseText(question);
  const kinds = new Set(ASKS.filter((ask) => ask.kind !== 'definition' && ask.pattern.test(text)).map((ask) => ask.kind));
  if (kinds.size === 0 && (WHAT_IS.test(text) || ASKS.some((ask) => ask.kind === 'definition' && ask.pattern.test(text)))) {
    kinds.add('definition');
  }
  return kinds;
}

/** Whether a question word only says what kind of answer is wanted ("treatment", "symptoms"), not what it is about. */
export function isKindWord(word: string): boolean {
  return ASKS.some((ask) => ask.pattern.test(word));
}

/**
 * Whether normalised text answers one of these kinds: it says that kind at least as often
 * as any other, so a treatment sentence that mentions the rash is not a symptoms sentence.
 * `subject` (stems of what the text is about, e.g. its document's title) lets a sentence
 * that opens with it and says what it is ("angina is chest pain...") count as a definition.
 */
export function saysKind(text: string, kinds: ReadonlySet<AnswerKind>, subject: ReadonlySet<string> = new Set()): boolean {
  if (kinds.size === 0) return false;
  const extra: Partial<Record<AnswerKind, number>> = {
    // A sentence naming a medicine ("statins lower LDL") says how something is treated.
    treatment: text.split(' ').filter((word) => MEDICINE.test(word)).length,
    definition: definesSubject(text, subject) ? 1 : 0,
  };
  const counts = SAYS.map(({ kind, pattern }) => ({ kind, count: (text.match(pattern)?.length ?? 0) + (extra[kind] ?? 0) }));
  const most = Math.max(...counts.map((entry) => entry.count));
  return most > 0 && counts.some((entry) => kinds.has(entry.kind) && entry.count === most);
}

/** "X is ...", "X refers to ...": the verbs by which a sentence says what its subject is. */
const DEFINING_VERB = new Set(['is', 'are', 'refers', 'means']);
/** How far into a sentence its verb may come for the sentence to open with its subject (a pronunciation or an alias may come first). */
const DEFINITION_REACH = 10;

function definesSubject(text: string, subject: ReadonlySet<string>): boolean {
  if (subject.size === 0) return false;
  const words = text.split(' ').slice(0, DEFINITION_REACH);
  const verb = words.findIndex((word) => DEFINING_VERB.has(word));
  return verb > 0 && words.slice(0, verb).some((word) => analyseWords(word).some((stem) => subject.has(stem)));
}

/** Words that exclude what follows them, whatever comes after. */
const STRONG_NEGATIONS: readonly string[][] = [['without'], ['instead', 'of'], ['other', 'than'], ['rather', 'than'], ['except'], ['apart', 'from'], ['free', 'of']];
/** "Avoid" excludes only when the question asks something else; alone it asks for prevention. */
const AVOID: readonly string[][] = [['avoid'], ['avoiding']];
/** "Not", "no" and "n't" exclude only what is taken or used ("not taking statins", "no surgery"), not a state ("does not eat"). */
const WEAK_NEGATIONS: readonly string[][] = [['not'], ['no'], ['never'], ['t'], ['cannot']];
/** Verbs of taking or using: after a weak negation they show that a treatment is what is refused. */
const USE_VERBS = new Set(['take', 'taking', 'taken', 'use', 'using', 'need', 'needing', 'want', 'wanting', 'having', 'with', 'require', 'requiring', 'start', 'starting', 'on']);
/** A negation reaches over the words of its phrase: a new phrase or a new question ends it. */
const SCOPE_ENDS = new Set(['what', 'how', 'which', 'why', 'when', 'who', 'where', 'for', 'in', 'at', 'during', 'after', 'before', 'because', 'if', 'while', 'so', 'since', 'until', 'but']);
/** A negation covers the few content words of the thing it names, not the rest of the question. */
const NEGATION_REACH = 3;
/** Punctuation and contrast words end a clause, and with it a negation. */
const CLAUSE_BREAK = /[,;:.?!()]|\b(?:but|while|whereas|although|though)\b/i;

/** What a question asks for, and what it excludes. */
export interface QuestionCues {
  kinds: Set<AnswerKind>;
  /**
   * Normalised words the question excludes ("lower cholesterol without medication"
   * excludes "medication"): they must not pull sentences about them to the top.
   */
  negated: Set<string>;
}

/** Reads the kinds asked and the words excluded from a question. */
export function questionCues(question: string): QuestionCues {
  const withoutAvoid = askedKinds(question.replace(/\bavoid(ing)?\b/gi, ' '));
  // "How to treat acne and avoid antibiotics" excludes antibiotics; "how to avoid the flu" asks for prevention.
  const avoidNegates = withoutAvoid.size > 0;
  return { kinds: avoidNegates ? withoutAvoid : askedKinds(question), negated: negatedWords(question, avoidNegates) };
}

/** Words covered by a negation and nowhere else in the question ("blood pressure" stays wanted in "lower blood pressure without blood pressure pills"). */
function negatedWords(question: string, avoidNegates: boolean): Set<string> {
  const covered = new Set<string>();
  const wanted = new Set<string>();
  for (const clause of question.split(CLAUSE_BREAK)) {
    if (!clause) continue;
    const words = normaliseText(clause).split(' ').filter(Boolean);
    const inScope = new Set<number>();
    for (let i = 0; i < words.length; i++) {
      const strong = cueLength(words, i, STRONG_NEGATIONS) || (avoidNegates ? cueLength(words, i, AVOID) : 0);
      if (strong > 0) for (const at of negationScope(words, i + strong, false)) inScope.add(at);
      const weak = cueLength(words, i, WEAK_NEGATIONS);
      if (weak > 0) for (const at of negationScope(words, i + weak, true)) inScope.add(at);
    }
    words.forEach((word, at) => (inScope.has(at) ? covered : wanted).add(word));
  }
  return new Set([...covered].filter((word) => !wanted.has(word)));
}

/** Whether a sentence (its normalised words and their stems) speaks of an excluded word or of its family. */
export function mentionsNegated(words: readonly string[], stems: ReadonlySet<string>, negated: ReadonlySet<string>): boolean {
  for (const excluded of negated) {
    const family = FAMILIES.find((pattern) => pattern.test(excluded));
    if (family ? words.some((word) => family.test(word)) : analyseWords(excluded).some((stem) => stems.has(stem))) return true;
  }
  return false;
}

function cueLength(words: readonly string[], at: number, cues: readonly string[][]): number {
  const cue = cues.find((parts) => parts.every((part, k) => words[at + k] === part));
  return cue?.length ?? 0;
}

/** Positions of the content words a negation covers, from `start` to the end of its phrase. */
function negationScope(words: readonly string[], start: number, weak: boolean): number[] {
  const scope: number[] = [];
  let usedVerb = false;
  for (let i = start; i < words.length && scope.length < NEGATION_REACH; i++) {
    const word = words[i]!;
    if (SCOPE_ENDS.has(word)) break;
    if (USE_VERBS.has(word)) {
      usedVerb = true;
      continue;
    }
    if (analyseWords(word).length === 0) continue;
    // A weak negation of a state ("does not eat") excludes nothing.
    if (weak && !usedVerb && scope.length === 0 && !FAMILIES.some((family) => family.test(word))) break;
    scope.push(i);
  }
  return scope;
}
