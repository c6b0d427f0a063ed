-- The answer cache is one store, llm_assistant.query_cache, whose keys name the chunks an
-- answer was built from and whose rows are dropped in the transaction that changes a cited
-- source (functions/drop_cached_answers.sql): the epoch that guarded the pre-retrieval
-- layer has nothing left to guard.
DROP TABLE IF EXISTS llm_assistant.answer_cache_state;
