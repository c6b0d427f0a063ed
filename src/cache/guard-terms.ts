/**
 * The words of a question that flip or change its answer while barely moving its
 * embedding: negations and direction verbs ("stop" vs "start" warfarin), drug names and
 * numbers with their units ("5 mg" vs "50 mg"). A semantic cache hit needs the same set.
 */

/** Canonical term -> the surface forms that mean it. */
const POLARITY: ReadonlyArray<readonly [string, RegExp]> = [
  ['not', /^(not|no|none|never|neither|nor|cannot|without|non)$/],
  ['stop', /^(stop|stops|stopped|stopping|cease|ceased|discontinue|discontinued|discontinuing|discontinuation|quit)$/],
  ['avoid', /^(avoid|avoids|avoided|avoiding|contraindicated|contraindication|contraindications)$/],
  ['hold', /^(hold|holding|held|withhold|withheld|skip|skipped|omit|omitted|pause|paused)$/],
  ['start', /^(start|starts|started|starting|begin|initiate|initiated|initiating|commence)$/],
  ['resume', /^(resume|resumed|restart|restarted|continue|continued|continuing)$/],
  ['increase', /^(increase|increased|increasing|raise|raised|double|doubled|titrate|escalate)$/],
  ['decrease', /^(decrease|decreased|decreasing|reduce|reduced|reducing|lower|lowered|halve|halved|taper|tapering|wean)$/],
  ['switch', /^(switch|switched|switching|replace|substitute)$/],
];

/** Frequencies are doses too: "twice daily" never answers "once daily". */
const FREQUENCY = new Set(['once', 'twice', 'thrice', 'daily', 'weekly', 'monthly', 'hourly', 'nightly', 'bid', 'tid', 'qid', 'qd', 'prn']);

const COMMON_DRUGS = new Set(
  (
    'warfarin aspirin paracetamol acetaminophen ibuprofen naproxen diclofenac metformin insulin glipizide gliclazide ' +
    'heparin enoxaparin apixaban rivaroxaban dabigatran clopidogrel ticagrelor amoxicillin penicillin ampicillin ' +
    'azithromycin clarithromycin doxycycline ciprofloxacin levofloxacin cephalexin ceftriaxone metronidazole ' +
    'trimethoprim nitrofurantoin vancomycin gentamicin prednisone prednisolone methylprednisolone dexamethasone ' +
    'hydrocortisone lisinopril enalapril ramipril losartan valsartan amlodipine nifedipine diltiazem verapamil ' +
    'metoprolol atenolol bisoprolol carvedilol propranolol furosemide hydrochlorothiazide spironolactone ' +
    'atorvastatin simvastatin rosuvastatin digoxin amiodarone levothyroxine omeprazole pantoprazole esomeprazole ' +
    'ranitidine ondansetron metoclopramide morphine oxycodone hydrocodone codeine tramadol fentanyl methadone ' +
    'buprenorphine naloxone gabapentin pregabalin sertraline fluoxetine citalopram escitalopram paroxetine ' +
    'venlafaxine duloxetine bupropion amitriptyline mirtazapine lithium valproate lamotrigine levetiracetam ' +
    'carbamazepine phenytoin diazepam lorazepam alprazolam clonazepam zolpidem quetiapine olanzapine risperidone ' +
    'haloperidol albuterol salbutamol salmeterol formoterol budesonide fluticasone montelukast tiotropium ' +
    'cetirizine loratadine diphenhydramine epinephrine adrenaline allopurinol colchicine methotrexate ' +
    'hydroxychloroquine tamoxifen sildenafil tadalafil finasteride tamsulosin oseltamivir acyclovir valacyclovir ' +
    'fluconazole semaglutide liraglutide empagliflozin dapagliflozin sitagliptin potassium magnesium iron ' +
    'folate vitamin'
  ).split(' '),
);

/** Stems of drug classes: a word ending like this is very likely a drug name. */
const DRUG_SUFFIXES =
  /(mab|nib|pril|sartan|olol|statin|azole|cillin|mycin|cycline|floxacin|prazole|tidine|dipine|oxetine|triptan|parin|xaban|gatran|gliflozin|gliptin|glutide|vir|afil|semide|thiazide|profen|codone|morphone|azepam|azolam|barbital|caine|sone|olone|terol|tropium|formin|dronate|setron|lukast|tinib|platin|rubicin|zumab|ximab)$/;

const UNITS: Record<string, string> = {
  mg: 'mg', milligram: 'mg', milligrams: 'mg',
  mcg: 'mcg', ug: 'mcg', 'µg': 'mcg', microgram: 'mcg', micrograms: 'mcg',
  g: 'g', gram: 'g', grams: 'g',
  kg: 'kg',
  ml: 'ml', millilitre: 'ml', milliliter: 'ml', millilitres: 'ml', milliliters: 'ml',
  l: 'l',
  iu: 'unit', u: 'unit', unit: 'unit', units: 'unit',
  mmol: 'mmol', meq: 'meq',
  '%': '%', percent: '%',
  tablet: 'tablet', tablets: 'tablet', tab: 'tablet', tabs: 'tablet', capsule: 'capsule', capsules: 'capsule',
  puff: 'puff', puffs: 'puff', drop: 'drop', drops: 'drop',
  times: 'times', x: 'times',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour',
  day: 'day', days: 'day', week: 'week', weeks: 'week', year: 'year', years: 'year',
};

const NUMBER_WITH_UNIT = /(\d+(?:[.,]\d+)?)\s*(mg\/kg|mcg\/kg|%|µg|[a-z]+)?/g;

/** The guard terms of a question, sorted and unique (compared as a whole). */
export function extractGuardTerms(question: string): string[] {
  const text = question.normalize('NFKC').toLowerCase().replace(/[’‘]/g, "'");
  const terms = new Set<string>();
  // "don't", "shouldn't", "can't": the contraction is a negation.
  if (/[a-z]n't\b/.test(text)) terms.add('not');
  for (const match of text.matchAll(NUMBER_WITH_UNIT)) {
    const value = String(Number.parseFloat(match[1]!.replace(',', '.')));
    const unit = match[2] === undefined ? undefined : (UNITS[match[2]] ?? (match[2].includes('/') ? match[2] : undefined));
    terms.add(unit ? `${value}${unit}` : value);
  }
  for (const word of text.match(/[a-z][a-z-]*/g) ?? []) {
    const polarity = POLARITY.find(([, forms]) => forms.test(word));
    if (polarity) terms.add(polarity[0]);
    else if (FREQUENCY.has(word)) terms.add(word);
    else if (COMMON_DRUGS.has(word) || (word.length >= 6 && DRUG_SUFFIXES.test(word))) terms.add(word);
  }
  return [...terms].sort();
}
