-- The service's own schema and the pgvector extension. The migration ledger
-- (llm_assistant.schema_migrations) is created by the runner before this file runs.
CREATE SCHEMA IF NOT EXISTS llm_assistant;
CREATE EXTENSION IF NOT EXISTS vector;
