// Nx's Node/Nest build: one bundle of the app and the @tickwire/* libraries, node_modules left external
// (installed from the generated package.json). tsc, not SWC, so decorator metadata is emitted exactly as
// TypeScript does, which Nest's dependency injection relies on.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

module.exports = {
  output: {
    path: join(__dirname, '../../dist/apps/consumer-gateway'),
    clean: true,
  },
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      tsConfig: './tsconfig.app.json',
      // The live page's HTML and the charting library's browser build are read at runtime next to the
      // bundle (see page/live-page.controller.ts); lightweight-charts is not a runtime import, so it is
      // copied rather than listed in the generated package.json.
      assets: [
        { input: './src/page', glob: 'live-page.html', output: '.' },
        { input: '../../node_modules/lightweight-charts/dist', glob: 'lightweight-charts.standalone.production.js', output: '.' },
      ],
      optimization: false,
      outputHashing: 'none',
      generatePackageJson: true,
      sourceMap: true,
    }),
  ],
};
