import { parseCommandLine } from './command-line';

describe('parseCommandLine', () => {
  it('reads the service, environment and region', () => {
    expect(parseCommandLine(['enricher', '--environment', 'staging', '--region', 'eu-west-1'])).toEqual({
      service: 'enricher',
      environment: 'staging',
      region: 'eu-west-1',
      dryRun: false,
    });
  });

  it.each([['--dry-run'], ['--dryRun'], ['--dry-run=true'], ['--dryRun=true']])(
    'sees a dry run forwarded by Nx as %s',
    (flag) => {
      expect(parseCommandLine(['enricher', flag]).dryRun).toBe(true);
    },
  );

  it('keeps an explicit image tag and requires a service', () => {
    expect(parseCommandLine(['enricher', '--image-tag', 'abc123']).imageTag).toBe('abc123');
    expect(() => parseCommandLine(['--dry-run'])).toThrow(/usage/);
  });
});
