-- Soundex and Levenshtein (fuzzystrmatch, a trusted contrib extension of PostgreSQL and
-- PGlite): the lexical leg reads a misspelled question word as the corpus word that sounds
-- alike when no word is one edit away (sql/functions/lexical_candidates.sql). The index
-- finds a term's sound-alikes without reading the vocabulary.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE INDEX IF NOT EXISTS lexical_terms_soundex ON llm_assistant.lexical_terms (source_kind, soundex(term));
