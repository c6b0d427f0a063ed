import { useRef, useState } from 'preact/hooks';
import { ApiError, postForEvents } from '../api.js';
import type { ChatDone } from '../types.js';
import { Badge, ErrorMessage, formatNumber, Page } from '../ui.js';

interface Turn {
  question: string;
  answer: string;
  done: ChatDone | null;
}

/** The chat on the documentation, streamed, with what the service did to answer. */
export function ChatPage() {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);

  const update = (change: (turn: Turn) => Turn) => setTurns((all) => [...all.slice(0, -1), change(all.at(-1)!)]);

  const ask = async (event: SubmitEvent) => {
    event.preventDefault();
    const question = input.current!.value.trim();
    if (!question) return;
    setBusy(true);
    setError(null);
    setTurns((all) => [...all, { question, answer: '', done: null }]);
    try {
      for await (const { event: name, data } of postForEvents('/v1/admin/chat', { message: question, ...(conversationId ? { conversationId } : {}) })) {
        if (name === 'token') update((turn) => ({ ...turn, answer: turn.answer + (data as { text: string }).text }));
        else if (name === 'done') {
          const done = data as ChatDone;
          update((turn) => ({ ...turn, done }));
          setConversationId(done.conversationId);
        } else if (name === 'error') {
          const problem = data as { status: number; code: string; detail: string };
          throw new ApiError(problem.status, problem.code, problem.detail);
        }
      }
      input.current!.value = '';
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  };

  const restart = () => {
    setTurns([]);
    setConversationId(null);
    input.current?.focus();
  };

  return (
    <Page title="Chat try-out">
      <p class="hint">
        Answers from the documentation only, in this console's own conversations: follow-ups are condensed into a standalone question first.
      </p>
      <ol class="turns">
        {turns.map((turn, index) => (
          <li key={index} class="turn">
            <p class="question">
              <strong>You:</strong> {turn.question}
            </p>
            <div class="answer" aria-live="polite" aria-busy={turn.done === null}>
              {turn.answer}
            </div>
            {turn.done && <AnswerDetails done={turn.done} />}
          </li>
        ))}
      </ol>
      <ErrorMessage error={error} />
      <form class="stack" onSubmit={(event) => void ask(event)}>
        <label for="message">{conversationId ? 'Follow-up question' : 'Question'}</label>
        <textarea
          id="message"
          ref={input}
          rows={3}
          required
          maxLength={4000}
          placeholder="How do I reschedule an appointment to another day?"
          onKeyDown={(event) => {
            // Ctrl/Cmd+Enter sends, as in most chat boxes; Enter alone makes a new line.
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) (event.currentTarget.form as HTMLFormElement).requestSubmit();
          }}
        />
        <div class="row">
          <button type="submit" disabled={busy}>
            {busy ? 'Answering…' : 'Ask'}
          </button>
          <button type="button" onClick={restart} disabled={busy || turns.length === 0}>
            New conversation
          </button>
        </div>
      </form>
    </Page>
  );
}

function AnswerDetails({ done }: { done: ChatDone }) {
  const { timings, usage } = done;
  return (
    <div class="answer-details">
      {done.citations.length > 0 && (
        <>
          <h3>Citations</h3>
          <ul class="citations">
            {done.citations.map((citation) => (
              <li key={citation.n}>
                <a href={`/admin/chunks/${citation.chunkId}`}>
                  [{citation.n}] {citation.title} › {citation.heading}
                </a>
                <div class="meta">{citation.snippet}</div>
              </li>
            ))}
          </ul>
        </>
      )}
      <dl class="facts">
        <dt>Cache</dt>
        <dd>{done.cached ? <Badge tone="good">{done.cached} hit</Badge> : <Badge tone="neutral">not cached</Badge>}</dd>
        <dt>Standalone question</dt>
        <dd>{done.standaloneQuestion}</dd>
        <dt>Modules</dt>
        <dd>{done.modules.join(', ') || '—'}</dd>
        <dt>Usage</dt>
        <dd>
          {formatNumber(usage.promptTokens)} prompt + {formatNumber(usage.completionTokens)} completion tokens · {usage.model}
          {usage.offline && ' (offline, no language model)'}
        </dd>
        <dt>Timings</dt>
        <dd>
          before search {ms(timings.beforeSearchMs)} · search {ms(timings.searchMs)} · first token {ms(timings.firstTokenMs)} · total {ms(timings.totalMs)}
        </dd>
        {done.removedCitations && (
          <>
            <dt>Removed citations</dt>
            <dd>{done.removedCitations.join(', ')}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

function ms(value: number | null): string {
  return value === null ? '—' : `${value} ms`;
}
