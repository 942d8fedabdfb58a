#!/usr/bin/env bash
# Scaffold an Nx library the house way: project.json with lint/test/typecheck, strict tsconfig,
# Jest on SWC. Usage: tools/scripts/new-lib.sh <dir under libs/> <import alias> "<tags comma separated>"
set -euo pipefail
dir="$1"; alias="$2"; tags="$3"
root="libs/$dir"; name="$(echo "$dir" | tr '/' '-')"
up=$(echo "$root" | sed -E 's#[^/]+#..#g')
mkdir -p "$root/src"
tagjson=$(echo "$tags" | sed -E 's/([^,]+)/"\1"/g')
cat > "$root/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "$up/node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$root/src",
  "projectType": "library",
  "tags": [$tagjson],
  "targets": {
    "lint": { "executor": "@nx/eslint:lint" },
    "typecheck": {
      "executor": "nx:run-commands",
      "options": { "command": "tsc -p $root/tsconfig.lib.json --noEmit && tsc -p $root/tsconfig.spec.json --noEmit" }
    },
    "test": {
      "executor": "@nx/jest:jest",
      "outputs": ["{workspaceRoot}/coverage/{projectRoot}"],
      "options": { "jestConfig": "$root/jest.config.cjs", "passWithNoTests": false }
    }
  }
}
JSON
cat > "$root/tsconfig.json" <<JSON
{
  "extends": "$up/tsconfig.base.json",
  "files": [],
  "include": [],
  "references": [{ "path": "./tsconfig.lib.json" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat > "$root/tsconfig.lib.json" <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "$up/dist/out-tsc", "types": ["node"] },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts", "src/**/*.int-spec.ts"]
}
JSON
cat > "$root/tsconfig.spec.json" <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "outDir": "$up/dist/out-tsc", "types": ["jest", "node"] },
  "include": ["src/**/*.spec.ts", "src/**/*.int-spec.ts", "src/**/*.d.ts", "src/**/*.ts"]
}
JSON
cat > "$root/jest.config.cjs" <<JS
/** Unit tests (*.spec.ts) and, where present, integration tests (*.int-spec.ts) on the real local stack. */
module.exports = {
  displayName: '$name',
  preset: '$up/jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
  coverageDirectory: '$up/coverage/$root',
};
JS
cat > "$root/eslint.config.mjs" <<JS
import baseConfig from '$up/eslint.config.mjs';

export default [...baseConfig];
JS
[ -f "$root/src/index.ts" ] || echo "export {};" > "$root/src/index.ts"
node -e '
const fs=require("fs");const p="tsconfig.base.json";const j=JSON.parse(fs.readFileSync(p,"utf8"));
j.compilerOptions.paths[process.argv[1]]=[process.argv[2]+"/src/index.ts"];
j.compilerOptions.paths=Object.fromEntries(Object.entries(j.compilerOptions.paths).sort());
fs.writeFileSync(p,JSON.stringify(j,null,2)+"\n");' "$alias" "$root"
echo "created $root ($alias)"
