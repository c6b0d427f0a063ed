-- Conversations (owned by one doctor, optionally about one patient) with a rolling
-- summary of the turns that no longer fit the prompt window.
CREATE TABLE IF NOT EXISTS llm_assistant.conversation_memory (
  id uuid PRIMARY KEY,
  doctor_id uuid NOT NULL,
  patient_id uuid,
  summary text NOT NULL DEFAULT '',
  -- Turns with turn_index < summarized_through are folded into `summary`.
  summarized_through integer NOT NULL DEFAULT 0,
  turn_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS conversation_memory_doctor_idx ON llm_assistant.conversation_memory (doctor_id, updated_at DESC);
CREATE INDEX IF NOT EXISTS conversation_memory_expires_idx ON llm_assistant.conversation_memory (expires_at);

CREATE TABLE IF NOT EXISTS llm_assistant.conversation_turns (
  conversation_id uuid NOT NULL REFERENCES llm_assistant.conversation_memory (id) ON DELETE CASCADE,
  turn_index integer NOT NULL,
  question text NOT NULL,
  standalone_question text NOT NULL,
  answer text NOT NULL,
  citations jsonb NOT NULL DEFAULT '[]',
  usage jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, turn_index)
);
