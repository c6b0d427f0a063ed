import net from 'node:net';

/**
 * Fails the whole run at once when CI=true and a real service is missing or unreachable,
 * instead of letting individual tests skip or time out.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.CI !== 'true') return;
  const database = process.env.LLM_DATABASE_URL ?? process.env.DATABASE_URL;
  const redis = process.env.REDIS_URL;
  const missing = [!database && 'DATABASE_URL', !redis && 'REDIS_URL'].filter(Boolean);
  if (missing.length > 0) throw new Error(`CI=true requires ${missing.join(' and ')} (run scripts/setup-services.sh)`);
  await Promise.all([reachable(database!), reachable(redis!)]);
}

function reachable(url: string): Promise<void> {
  const { hostname, port, protocol } = new URL(url);
  const defaultPort = protocol.startsWith('redis') ? 6379 : 5432;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || defaultPort), timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    const fail = () => {
      socket.destroy();
      reject(new Error(`CI=true but ${protocol}//${hostname}:${port || defaultPort} is unreachable`));
    };
    socket.once('error', fail);
    socket.once('timeout', fail);
  });
}
