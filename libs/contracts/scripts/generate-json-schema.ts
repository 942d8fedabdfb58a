/**
 * Regenerates the committed contract artifacts of @tickwire/contracts:
 *   libs/contracts/schemas/*.json  (z.toJSONSchema snapshots, draft-07)
 *   libs/contracts/asyncapi.yaml   (AsyncAPI 3.0 document referencing them)
 *
 *   npx tsx libs/contracts/scripts/generate-json-schema.ts    (or: npx nx run contracts:generate)
 *
 * Stale files are removed from schemas/. The unit test `generated-files.spec.ts` fails when the
 * committed files differ from what this script would write, so a contract change is always reviewed.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles, SCHEMAS_DIR } from '../src/artifacts/generated-files';

const root = join(__dirname, '..');
const files = generatedFiles();
mkdirSync(join(root, SCHEMAS_DIR), { recursive: true });
for (const existing of readdirSync(join(root, SCHEMAS_DIR))) {
  if (!(`${SCHEMAS_DIR}/${existing}` in files)) {
    rmSync(join(root, SCHEMAS_DIR, existing));
    console.log(`removed ${SCHEMAS_DIR}/${existing}`);
  }
}
for (const [path, content] of Object.entries(files)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  console.log(`wrote libs/contracts/${path}`);
}
