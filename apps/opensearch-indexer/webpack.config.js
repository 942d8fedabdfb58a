// Nx's Node/Nest build: one bundle of the app and the @tickwire/* libraries, node_modules left external
// (installed from the generated package.json). tsc, not SWC, so decorator metadata is emitted exactly as
// TypeScript does, which Nest's dependency injection relies on.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

module.exports = {
  output: {
    path: join(__dirname, '../../dist/apps/opensearch-indexer'),
    clean: true,
  },
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      // The one-shot provisioning run (infra's provisioning task: `node provision.js`), in the same image.
      additionalEntryPoints: [{ entryName: 'provision', entryPath: './src/provision.ts' }],
      tsConfig: './tsconfig.app.json',
      assets: [],
      optimization: false,
      outputHashing: 'none',
      generatePackageJson: true,
      sourceMap: true,
    }),
  ],
};
