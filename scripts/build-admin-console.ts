/**
 * Builds the admin console into dist/admin-console: one ES module bundle (Preact and the
 * pages, minified), its stylesheet and the page, which the service serves at /admin.
 * `npm run build` and `npm start` (prestart) run it; it takes well under a second.
 */
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = path.join(ROOT, 'admin-console');
const CONSOLE_OUT = path.join(ROOT, 'dist', 'admin-console');

export interface BuiltFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** Builds the console and returns what a first load fetches, with each file's size raw and gzipped. */
export async function buildAdminConsole(outDir = CONSOLE_OUT): Promise<BuiltFile[]> {
  const assets = path.join(outDir, 'assets');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(assets, { recursive: true });
  await build({
    entryPoints: [path.join(SOURCE, 'src', 'main.tsx')],
    outfile: path.join(assets, 'app.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(path.join(SOURCE, 'styles.css'), path.join(assets, 'app.css'));
  await copyFile(path.join(SOURCE, 'index.html'), path.join(outDir, 'index.html'));
  return Promise.all(
    ['index.html', 'assets/app.js', 'assets/app.css'].map(async (file) => {
      const bytes = await readFile(path.join(outDir, file));
      return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes).length };
    }),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = await buildAdminConsole();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const { file, bytes, gzipBytes } of files) console.log(`admin console: ${file} ${kb(bytes)} (${kb(gzipBytes)} gzipped)`);
  const total = files.reduce((sum, file) => sum + file.gzipBytes, 0);
  console.log(`admin console: first load ${kb(total)} gzipped`);
}
