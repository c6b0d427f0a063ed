import { describe, expect, it } from 'vitest';
import { configVariables, loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

describe('loadConfig', () => {
  it('when nothing is set, then it gives the embedded default', () => {
    const config = loadConfig({});
    expect(config.database).toMatchObject({ kind: 'embedded', dataDir: './.data/pglite', migrateOnStart: true });
    expect(config.redis).toBeNull();
    expect(config.openai).toBeNull();
    expect(config.examples.indexOnStart).toBe(true);
    expect(config.http.port).toBe(3000);
  });

  it('when LLM_DATABASE_URL and DATABASE_URL are both set, then LLM_DATABASE_URL wins and migrations are not automatic', () => {
    const config = loadConfig({ LLM_DATABASE_URL: 'postgres://a@h/llm', DATABASE_URL: 'postgres://b@h/main' });
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://a@h/llm', migrateOnStart: false });
    expect(config.examples.indexOnStart).toBe(false);
  });

  it('when only DATABASE_URL is set, then it is used', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://b@h/main' }).database).toMatchObject({ url: 'postgresql://b@h/main' });
  });

  it('when REDIS_URL and OPENAI_API_KEY are set, then Redis and OpenAI are configured', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://llm.local/v1' });
    expect(config.redis).toMatchObject({ url: 'redis://127.0.0.1:6379', commandTimeoutMs: 500 });
    expect(config.openai).toMatchObject({ apiKey: 'sk-test', baseURL: 'http://llm.local/v1', embeddingModel: 'text-embedding-3-small' });
  });

  it('when several values are wrong, then one error names every wrong variable and why', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'nope', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(4);
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).toMatch(/DATABASE_URL: must be a URL starting with postgres:\/\//);
  });

  it('when chunk sizes contradict each other, then start-up is refused', () => {
    expect(() => loadConfig({ CHUNK_TARGET_TOKENS: '600', CHUNK_MAX_TOKENS: '512' })).toThrow(ConfigError);
  });

  it('when a variable is set to an empty string, then it counts as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).database.kind).toBe('embedded');
  });

  it('when loaded, then the config is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('when listing variables, then each has a description', () => {
    expect(configVariables.length).toBeGreaterThan(20);
    for (const variable of configVariables) expect(variable.description, variable.name).not.toBe('');
  });
});

describe('.env.example', () => {
  it('when compared with the config schema, then it documents every variable with its default (regenerate: npm run env:example)', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile('.env.example', 'utf8');
    for (const variable of configVariables) {
      expect(example, variable.name).toContain(`# ${variable.description}\n# ${variable.name}=${variable.default}\n`);
    }
  });
});
